package org

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // store time zones validate even on hosts without a zoneinfo database
	"unicode/utf8"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/bizcode"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ratelimit"
)

// Config tunes password hashing, sessions and login throttling.
type Config struct {
	// Argon2Memory is the argon2id memory cost in KiB.
	Argon2Memory uint32
	// Argon2Time is the argon2id number of passes.
	Argon2Time uint32
	// Argon2Threads is the argon2id parallelism.
	Argon2Threads uint8
	// Hasher hashes and verifies passwords; nil means argon2id with the cost above.
	Hasher Hasher
	// SessionTTL is how long a console session lasts after login.
	SessionTTL time.Duration
	// LoginFreeFailures is how many consecutive failed logins of one login name cost
	// nothing; from then on each attempt must wait after the one before.
	LoginFreeFailures int
	// LoginDelay is the wait after the first failure past the free ones; every further
	// failure doubles it, up to LoginMaxDelay. A correct password after the wait logs
	// in and clears the count.
	LoginDelay    time.Duration
	LoginMaxDelay time.Duration
	// LoginForgetAfter is how long after the last failure the count starts again.
	LoginForgetAfter time.Duration
	// LoginAddressLimit bounds the login attempts (right or wrong) from one client
	// address, counted across every node.
	LoginAddressLimit ratelimit.Rule
	// KeyCacheTTL is how long a node trusts an API key it has checked (revoking a key
	// clears the cache of the node that revoked it; other nodes read the key again
	// within this time); 0 means DefaultKeyCacheTTL, a negative value turns the cache
	// off.
	KeyCacheTTL time.Duration
}

// DefaultConfig returns the production settings: argon2id with the OWASP parameters
// (19 MiB, 2 passes, 1 thread), 12-hour sessions, five free login failures per login
// name followed by waits of 1 s, 2 s, 4 s … up to 10 minutes (forgotten a day after
// the last failure), and 300 login attempts per client address in a burst, then one
// every 2 seconds.
func DefaultConfig() Config {
	return Config{
		Argon2Memory:      19 * 1024,
		Argon2Time:        2,
		Argon2Threads:     1,
		SessionTTL:        12 * time.Hour,
		LoginFreeFailures: 5,
		LoginDelay:        time.Second,
		LoginMaxDelay:     10 * time.Minute,
		LoginForgetAfter:  24 * time.Hour,
		LoginAddressLimit: ratelimit.Rule{Limit: 300, Window: 10 * time.Minute},
		KeyCacheTTL:       DefaultKeyCacheTTL,
	}
}

// TestConfig returns DefaultConfig with a cheap argon2id profile (64 KiB, 1 pass) so
// that test suites stay fast. Never use it in production.
func TestConfig() Config {
	c := DefaultConfig()
	c.Argon2Memory = 64
	c.Argon2Time = 1
	return c
}

// withDefaults fills the zero settings from DefaultConfig.
func (c Config) withDefaults() Config {
	def := DefaultConfig()
	if c.Argon2Memory == 0 || c.Argon2Time == 0 || c.Argon2Threads == 0 {
		c.Argon2Memory, c.Argon2Time, c.Argon2Threads = def.Argon2Memory, def.Argon2Time, def.Argon2Threads
	}
	if c.SessionTTL <= 0 {
		c.SessionTTL = def.SessionTTL
	}
	if c.KeyCacheTTL == 0 {
		c.KeyCacheTTL = DefaultKeyCacheTTL
	}
	if c.LoginFreeFailures <= 0 {
		c.LoginFreeFailures = def.LoginFreeFailures
	}
	if c.LoginDelay <= 0 {
		c.LoginDelay = def.LoginDelay
	}
	if c.LoginMaxDelay < c.LoginDelay {
		c.LoginMaxDelay = max(def.LoginMaxDelay, c.LoginDelay)
	}
	if c.LoginForgetAfter < c.LoginMaxDelay {
		c.LoginForgetAfter = max(def.LoginForgetAfter, c.LoginMaxDelay)
	}
	if c.LoginAddressLimit.Validate() != nil {
		c.LoginAddressLimit = def.LoginAddressLimit
	}
	if c.Hasher == nil {
		c.Hasher = argon2Hasher{cfg: c}
	}
	return c
}

// loginDelay is how long a login name with n consecutive failures waits before its
// next attempt is judged: nothing while n < LoginFreeFailures, then LoginDelay,
// doubling with each further failure, at most LoginMaxDelay.
func (c Config) loginDelay(n int) time.Duration {
	if n < c.LoginFreeFailures {
		return 0
	}
	d := c.LoginDelay
	for i := c.LoginFreeFailures; i < n && d < c.LoginMaxDelay; i++ {
		d *= 2
	}
	return min(d, c.LoginMaxDelay)
}

// DefaultTimeZone is the time zone of a store created without one.
const DefaultTimeZone = "Asia/Shanghai"

// Tenant is one retail company using the platform; every other row belongs to one.
type Tenant struct {
	ID        string
	Code      string
	Name      string
	CreatedAt time.Time
}

// BootstrapInput creates a tenant and its first administrator.
type BootstrapInput struct {
	TenantCode    string
	TenantName    string
	AdminLogin    string
	AdminName     string
	AdminPassword string
}

// Validate reports the first invalid field as an errs.Invalid error.
func (in *BootstrapInput) Validate() error {
	in.AdminLogin = normalizeLogin(in.AdminLogin)
	if err := checkCode("tenant_code", in.TenantCode); err != nil {
		return err
	}
	if err := checkName("tenant_name", in.TenantName, 200); err != nil {
		return err
	}
	if err := checkLogin("admin_login", in.AdminLogin); err != nil {
		return err
	}
	if err := checkName("admin_name", in.AdminName, 200); err != nil {
		return err
	}
	return checkPassword("admin_password", in.AdminPassword, in.AdminLogin)
}

// BrandStatus says whether a brand is trading.
type BrandStatus string

// The brand statuses.
const (
	BrandActive   BrandStatus = "active"
	BrandInactive BrandStatus = "inactive"
)

// Brand is a banner under which a tenant runs stores (for example a hypermarket
// chain and a convenience chain of the same company).
type Brand struct {
	ID        string
	TenantID  string
	Code      string
	Name      string
	Status    BrandStatus
	CreatedAt time.Time
	UpdatedAt time.Time
}

// BrandCreate is the input of CreateBrand. An empty Status means active.
type BrandCreate struct {
	Code   string
	Name   string
	Status BrandStatus
}

// Validate reports the first invalid field as an errs.Invalid error.
func (in *BrandCreate) Validate() error {
	if in.Status == "" {
		in.Status = BrandActive
	}
	if err := checkCode("code", in.Code); err != nil {
		return err
	}
	if err := checkName("name", in.Name, 200); err != nil {
		return err
	}
	return checkBrandStatus(in.Status)
}

// BrandUpdate changes the fields that are not nil.
type BrandUpdate struct {
	Code   *string
	Name   *string
	Status *BrandStatus
}

// Validate reports the first invalid field as an errs.Invalid error.
func (in *BrandUpdate) Validate() error {
	if in.Code != nil {
		if err := checkCode("code", *in.Code); err != nil {
			return err
		}
	}
	if in.Name != nil {
		if err := checkName("name", *in.Name, 200); err != nil {
			return err
		}
	}
	if in.Status != nil {
		return checkBrandStatus(*in.Status)
	}
	return nil
}

// BrandFilter narrows FindBrands.
type BrandFilter struct {
	Status BrandStatus
	Q      string // substring of the name or code
	httpapi.PageParams
}

// Region is a geographic or management area that groups stores.
type Region struct {
	ID        string
	TenantID  string
	Code      string
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// RegionCreate is the input of CreateRegion.
type RegionCreate struct {
	Code string
	Name string
}

// Validate reports the first invalid field as an errs.Invalid error.
func (in *RegionCreate) Validate() error {
	if err := checkCode("code", in.Code); err != nil {
		return err
	}
	return checkName("name", in.Name, 200)
}

// RegionUpdate changes the fields that are not nil.
type RegionUpdate struct {
	Code *string
	Name *string
}

// Validate reports the first invalid field as an errs.Invalid error.
func (in *RegionUpdate) Validate() error {
	if in.Code != nil {
		if err := checkCode("code", *in.Code); err != nil {
			return err
		}
	}
	if in.Name != nil {
		return checkName("name", *in.Name, 200)
	}
	return nil
}

// RegionFilter narrows FindRegions.
type RegionFilter struct {
	Q string // substring of the name or code
	httpapi.PageParams
}

// StoreFormat is the kind of store.
type StoreFormat string

// The store formats.
const (
	Hypermarket     StoreFormat = "hypermarket"
	Supermarket     StoreFormat = "supermarket"
	Convenience     StoreFormat = "convenience"
	Specialty       StoreFormat = "specialty"
	DepartmentStore StoreFormat = "department_store"
)

// StoreFormats lists every store format.
func StoreFormats() []StoreFormat {
	return []StoreFormat{Hypermarket, Supermarket, Convenience, Specialty, DepartmentStore}
}

// StoreStatus is where a store is in its life.
type StoreStatus string

// The store statuses.
const (
	StoreOpen    StoreStatus = "open"
	StoreClosed  StoreStatus = "closed"
	StorePlanned StoreStatus = "planned"
)

// StoreStatuses lists every store status.
func StoreStatuses() []StoreStatus { return []StoreStatus{StoreOpen, StoreClosed, StorePlanned} }

// Store is a physical shop of a brand in a region.
type Store struct {
	ID           string
	TenantID     string
	BrandID      string
	RegionID     string
	Code         string
	Name         string
	Format       StoreFormat
	City         string
	Address      string
	Latitude     *float64
	Longitude    *float64
	FloorAreaM2  *int
	TimeZone     string // IANA name
	OpeningHours string // "08:00-22:00", or empty when unknown
	Status       StoreStatus
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// StoreCreate is the input of CreateStore. An empty TimeZone means Asia/Shanghai and
// an empty Status means open.
type StoreCreate struct {
	BrandID      string
	RegionID     string
	Code         string
	Name         string
	Format       StoreFormat
	City         string
	Address      string
	Latitude     *float64
	Longitude    *float64
	FloorAreaM2  *int
	TimeZone     string
	OpeningHours string
	Status       StoreStatus
}

// Validate applies the defaults and reports the first invalid field as an
// errs.Invalid error.
func (in *StoreCreate) Validate() error {
	if in.TimeZone == "" {
		in.TimeZone = DefaultTimeZone
	}
	if in.Status == "" {
		in.Status = StoreOpen
	}
	if in.BrandID == "" {
		return errs.Field("body.brand_id", "brand_id is required")
	}
	if in.RegionID == "" {
		return errs.Field("body.region_id", "region_id is required")
	}
	s := Store{Code: in.Code, Name: in.Name, Format: in.Format, City: in.City, Address: in.Address,
		Latitude: in.Latitude, Longitude: in.Longitude, FloorAreaM2: in.FloorAreaM2,
		TimeZone: in.TimeZone, OpeningHours: in.OpeningHours, Status: in.Status}
	return s.validate()
}

// StoreUpdate changes the fields that are not nil.
type StoreUpdate struct {
	BrandID      *string
	RegionID     *string
	Code         *string
	Name         *string
	Format       *StoreFormat
	City         *string
	Address      *string
	Latitude     *float64
	Longitude    *float64
	FloorAreaM2  *int
	TimeZone     *string
	OpeningHours *string
	Status       *StoreStatus
}

// Validate reports the first invalid field as an errs.Invalid error.
func (in *StoreUpdate) Validate() error {
	if in.BrandID != nil && *in.BrandID == "" {
		return errs.Field("body.brand_id", "brand_id must not be empty")
	}
	if in.RegionID != nil && *in.RegionID == "" {
		return errs.Field("body.region_id", "region_id must not be empty")
	}
	// Validate the set fields against a store that is valid everywhere else.
	s := Store{Code: "x", Name: "x", Format: Supermarket, City: "x", TimeZone: DefaultTimeZone, Status: StoreOpen}
	in.apply(&s)
	return s.validate()
}

// apply copies the set fields onto s.
func (in *StoreUpdate) apply(s *Store) {
	set(&s.BrandID, in.BrandID)
	set(&s.RegionID, in.RegionID)
	set(&s.Code, in.Code)
	set(&s.Name, in.Name)
	set(&s.Format, in.Format)
	set(&s.City, in.City)
	set(&s.Address, in.Address)
	if in.Latitude != nil {
		s.Latitude = new(*in.Latitude)
	}
	if in.Longitude != nil {
		s.Longitude = new(*in.Longitude)
	}
	if in.FloorAreaM2 != nil {
		s.FloorAreaM2 = new(*in.FloorAreaM2)
	}
	set(&s.TimeZone, in.TimeZone)
	set(&s.OpeningHours, in.OpeningHours)
	set(&s.Status, in.Status)
}

func (s *Store) validate() error {
	if err := checkCode("code", s.Code); err != nil {
		return err
	}
	if err := checkName("name", s.Name, 200); err != nil {
		return err
	}
	if !slices.Contains(StoreFormats(), s.Format) {
		return errs.Field("body.format", "format must be one of hypermarket, supermarket, convenience, specialty, department_store")
	}
	if err := checkName("city", s.City, 100); err != nil {
		return err
	}
	if utf8.RuneCountInString(s.Address) > 500 {
		return errs.Field("body.address", "address must be at most 500 characters")
	}
	if s.Latitude != nil && (math.IsNaN(*s.Latitude) || *s.Latitude < -90 || *s.Latitude > 90) {
		return errs.Field("body.latitude", "latitude must be -90..90")
	}
	if s.Longitude != nil && (math.IsNaN(*s.Longitude) || *s.Longitude < -180 || *s.Longitude > 180) {
		return errs.Field("body.longitude", "longitude must be -180..180")
	}
	if s.FloorAreaM2 != nil && (*s.FloorAreaM2 < 1 || *s.FloorAreaM2 > 10_000_000) {
		return errs.Field("body.floor_area_m2", "floor_area_m2 must be 1..10000000")
	}
	if err := checkTimeZone(s.TimeZone); err != nil {
		return err
	}
	if err := checkOpeningHours(s.OpeningHours); err != nil {
		return err
	}
	if !slices.Contains(StoreStatuses(), s.Status) {
		return errs.Field("body.status", "status must be one of open, closed, planned")
	}
	return nil
}

// StoreFilter narrows FindStores; empty fields do not filter.
type StoreFilter struct {
	BrandID  string
	RegionID string
	Format   StoreFormat
	City     string
	Q        string // substring of the name or code
	Status   StoreStatus
	httpapi.PageParams
	// Page jumps to the page-th page of Limit stores (1 is the first); it excludes
	// Cursor and reaches at most the first MaxStoreJump stores.
	Page int
}

// MaxStoreJump is how many stores a page jump may skip: a bounded OFFSET on the
// (tenant, id) index, which at national-chain size (a few thousand stores) costs a
// millisecond; beyond it the list is followed by cursor or narrowed by filters.
const MaxStoreJump = 20000

// StoreCell counts the stores of one format in one cell of a grid of a quarter of a
// degree (about 28 km, a city's stores in one to four cells): what a map of the
// network draws, bounded by the area covered rather than by the number of stores.
type StoreCell struct {
	Format    StoreFormat
	City      string  // the city of the cell's stores (the first by name when they differ)
	Name      string  // the name of the cell's store, when Count is 1
	Latitude  float64 // the mean position of the cell's stores
	Longitude float64
	Count     int
}

// Count is the number of stores sharing a key (a format or a city).
type Count struct {
	Key   string
	Count int
}

// NamedCount is the number of stores of a brand or region, with its name.
type NamedCount struct {
	Key   string
	Name  string
	Count int
}

// StoreSummary counts the stores a principal can see, by format, city, region and
// brand, largest first.
type StoreSummary struct {
	Total    int
	ByFormat []Count
	ByCity   []Count
	ByRegion []NamedCount
	ByBrand  []NamedCount
}

// UserStatus says whether a user may log in.
type UserStatus string

// The user statuses.
const (
	UserActive   UserStatus = "active"
	UserDisabled UserStatus = "disabled"
)

// User is a console user. Its role gives the scopes (auth.RoleScopes) and its data
// scope (ScopeType, ScopeID) the brand, region or store it may see. The password
// hash never leaves the store layer.
type User struct {
	ID        string
	TenantID  string
	Login     string // lower-case, unique across tenants
	Name      string
	Role      auth.Role
	ScopeType auth.ScopeType
	ScopeID   string // empty for tenant scope
	Status    UserStatus
	// MustChangePassword is set when someone else set the user's password (an
	// administrator's reset, the admin command, or a creation that asked for it):
	// the user's sessions may then only change it, log out and read /me.
	MustChangePassword bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// UserCreate is the input of CreateUser. MustChangePassword makes the user choose
// their own password at the first login.
type UserCreate struct {
	Login              string
	Name               string
	Password           string
	Role               auth.Role
	ScopeType          auth.ScopeType
	ScopeID            string
	MustChangePassword bool
}

// Validate normalises the login and reports the first invalid field as an
// errs.Invalid error.
func (in *UserCreate) Validate() error {
	in.Login = normalizeLogin(in.Login)
	if err := checkLogin("login", in.Login); err != nil {
		return err
	}
	if err := checkName("name", in.Name, 200); err != nil {
		return err
	}
	if err := checkPassword("password", in.Password, in.Login); err != nil {
		return err
	}
	if err := checkRole(in.Role); err != nil {
		return err
	}
	return checkScope(in.ScopeType, in.ScopeID)
}

// UserUpdate changes the fields that are not nil. Password sets a new password,
// which the user must change at the next login; ScopeType and ScopeID are checked
// together.
type UserUpdate struct {
	Name      *string
	Role      *auth.Role
	ScopeType *auth.ScopeType
	ScopeID   *string
	Status    *UserStatus
	Password  *string
}

// Validate reports the first invalid field as an errs.Invalid error.
func (in *UserUpdate) Validate() error {
	if in.Name != nil {
		if err := checkName("name", *in.Name, 200); err != nil {
			return err
		}
	}
	if in.Role != nil {
		if err := checkRole(*in.Role); err != nil {
			return err
		}
	}
	if in.ScopeType != nil && !auth.ValidScopeType(*in.ScopeType) {
		return errs.Field("body.scope_type", "scope_type must be one of tenant, brand, region, store")
	}
	if in.Status != nil && *in.Status != UserActive && *in.Status != UserDisabled {
		return errs.Field("body.status", "status must be active or disabled")
	}
	if in.Password != nil {
		return checkPassword("password", *in.Password, "") // the login is checked against the user in UpdateUser
	}
	return nil
}

// UserFilter narrows FindUsers; empty fields do not filter.
type UserFilter struct {
	Role      auth.Role
	Status    UserStatus
	ScopeType auth.ScopeType
	ScopeID   string
	Q         string // substring of the login or name
	httpapi.PageParams
}

// Session is a console login. Its token is shown once, at login, and stored only
// as a SHA-256 hash.
type Session struct {
	ID         string
	TenantID   string
	UserID     string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
	RevokedAt  *time.Time
	ClientIP   string
	UserAgent  string
}

// LoginInput is what a console user sends to log in, plus where the request came from.
type LoginInput struct {
	Login     string
	Password  string
	ClientIP  string
	UserAgent string
}

// APIKey is a machine credential of a tenant with an explicit set of scopes. Its
// secret is shown once, at creation, and stored only as a SHA-256 hash. It may use
// only the scopes its owner still holds (Access).
type APIKey struct {
	ID        string
	TenantID  string
	Name      string
	Prefix    string // the first 12 characters of the secret after "or_live_"
	Scopes    []auth.Scope
	CreatedBy string // a user id, an API key id, or "system"
	// CreatedByKind says what CreatedBy names.
	CreatedByKind CreatorKind
	// CreatorLogin and CreatorName describe the creating user (or, for a key made by
	// a key, the creating key's name in CreatorName); filled by FindAPIKeys.
	CreatorLogin string
	CreatorName  string
	// Owner is whose current access bounds the key, as it is now.
	Owner      KeyOwner
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	// TouchpointID is the touchpoint the key belongs to ("" for a general key).
	TouchpointID string
}

// CreatorKind says what created an API key.
type CreatorKind string

// The creator kinds. CreatorUnknown marks a key whose creator could not be resolved
// when creators started to be recorded (migration 00019).
const (
	CreatorUser    CreatorKind = "user"
	CreatorAPIKey  CreatorKind = "api_key"
	CreatorSystem  CreatorKind = "system"
	CreatorUnknown CreatorKind = "unknown"
)

// KeyOwner is whose current access bounds an API key: the user who created it (or
// who created the key that created it), the platform for keys of the admin command
// and the demo (Kind system: no bound), or nobody known (Kind unknown: suspended).
type KeyOwner struct {
	Kind   CreatorKind // user, system or unknown
	UserID string
	// The owner's role, status and data scope as they are now; empty when the user
	// cannot be found.
	Role      auth.Role
	Status    UserStatus
	ScopeType auth.ScopeType
}

// SuspendReason says why an API key may not use some of its scopes.
type SuspendReason string

// The reasons a key's scopes are suspended.
const (
	// SuspendedCreatorDisabled: the owner is disabled; the key may use nothing.
	SuspendedCreatorDisabled SuspendReason = "creator_disabled"
	// SuspendedCreatorNotTenantWide: the owner's data scope is narrower than the
	// tenant, while a key always sees the whole tenant; the key may use nothing.
	SuspendedCreatorNotTenantWide SuspendReason = "creator_not_tenant_wide"
	// SuspendedCreatorLacksScopes: the owner's role no longer carries some of the
	// key's scopes; the key may use the others.
	SuspendedCreatorLacksScopes SuspendReason = "creator_lacks_scopes"
	// SuspendedCreatorUnknown: the owner cannot be resolved; the key may use nothing.
	SuspendedCreatorUnknown SuspendReason = "creator_unknown"
)

// Access returns the scopes the key may use now — those of its scopes that its owner
// still holds — the suspended rest, and why ("" when none is suspended). A key of the
// platform uses all its scopes. A disabled owner, an owner narrower than the tenant or
// an unknown one suspends every scope.
func (k APIKey) Access() (effective, suspended []auth.Scope, reason SuspendReason) {
	all := func(r SuspendReason) ([]auth.Scope, []auth.Scope, SuspendReason) {
		return []auth.Scope{}, slices.Clone(k.Scopes), r
	}
	switch {
	case k.Owner.Kind == CreatorSystem:
		return slices.Clone(k.Scopes), []auth.Scope{}, ""
	case k.Owner.Kind != CreatorUser || k.Owner.Role == "":
		return all(SuspendedCreatorUnknown)
	case k.Owner.Status != UserActive:
		return all(SuspendedCreatorDisabled)
	case k.Owner.ScopeType != auth.TenantScope:
		return all(SuspendedCreatorNotTenantWide)
	}
	held := auth.RoleScopes(k.Owner.Role)
	effective, suspended = []auth.Scope{}, []auth.Scope{}
	for _, sc := range k.Scopes {
		if slices.Contains(held, sc) {
			effective = append(effective, sc)
		} else {
			suspended = append(suspended, sc)
		}
	}
	if len(suspended) > 0 {
		reason = SuspendedCreatorLacksScopes
	}
	return effective, suspended, reason
}

// APIKeyCreate is the input of CreateAPIKey. TouchpointID binds the key to one
// touchpoint; the identity domain sets it after checking the touchpoint.
type APIKeyCreate struct {
	Name         string
	Scopes       []auth.Scope
	TouchpointID string
}

// Validate removes duplicate scopes and reports the first invalid field as an
// errs.Invalid error.
func (in *APIKeyCreate) Validate() error {
	if err := checkName("name", in.Name, 100); err != nil {
		return err
	}
	if len(in.Scopes) == 0 {
		return errs.Field("body.scopes", "at least one scope is required")
	}
	var uniq []auth.Scope
	for i, sc := range in.Scopes {
		if !auth.ValidScope(sc) {
			return errs.Field("body.scopes["+strconv.Itoa(i)+"]", "unknown scope %q", sc)
		}
		if !slices.Contains(uniq, sc) {
			uniq = append(uniq, sc)
		}
	}
	in.Scopes = uniq
	return nil
}

// Identity describes the caller: a console user, an API key or the system.
type Identity struct {
	Kind      auth.Kind
	ID        string
	TenantID  string
	Login     string // empty for API keys
	Name      string
	Role      auth.Role
	ScopeType auth.ScopeType
	ScopeID   string
	Scopes    []auth.Scope
	// MustChangePassword is set for a console user who must change the password an
	// administrator set before doing anything else.
	MustChangePassword bool
}

var (
	loginPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{2,63}$`)
	hoursPattern = regexp.MustCompile(`^(\d\d):(\d\d)-(\d\d):(\d\d)$`)
)

func normalizeLogin(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func checkCode(field, v string) error {
	if !bizcode.Valid(v) {
		return errs.Field("body."+field, "%s must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit", field)
	}
	return nil
}

func checkName(field, v string, maxLen int) error {
	if strings.TrimSpace(v) == "" {
		return errs.Field("body."+field, "%s is required", field)
	}
	if utf8.RuneCountInString(v) > maxLen {
		return errs.Field("body."+field, "%s must be at most %d characters", field, maxLen)
	}
	return nil
}

func checkLogin(field, v string) error {
	if !loginPattern.MatchString(v) {
		return errs.Field("body."+field, "%s must be 3-64 lower-case letters, digits, '.', '_', '@' or '-'", field)
	}
	return nil
}

func checkRole(r auth.Role) error {
	if !slices.Contains(auth.Roles(), r) {
		return errs.Field("body.role", "unknown role %q", r)
	}
	return nil
}

func checkScope(t auth.ScopeType, id string) error {
	if !auth.ValidScopeType(t) {
		return errs.Field("body.scope_type", "scope_type must be one of tenant, brand, region, store")
	}
	if t == auth.TenantScope && id != "" {
		return errs.Field("body.scope_id", "scope_id must be empty for tenant scope")
	}
	if t != auth.TenantScope && id == "" {
		return errs.Field("body.scope_id", "scope_id is required for %s scope", t)
	}
	return nil
}

func checkBrandStatus(s BrandStatus) error {
	if s != BrandActive && s != BrandInactive {
		return errs.Field("body.status", "status must be active or inactive")
	}
	return nil
}

func checkTimeZone(tz string) error {
	if tz == "" || tz == "Local" {
		return errs.Field("body.time_zone", "time_zone must be an IANA time zone such as Asia/Shanghai")
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return errs.Field("body.time_zone", "unknown time zone %q", tz)
	}
	return nil
}

// checkOpeningHours accepts "" (unknown) or "HH:MM-HH:MM"; a closing time before the
// opening time means the store closes after midnight, and 24:00 may close the day.
func checkOpeningHours(v string) error {
	if v == "" {
		return nil
	}
	m := hoursPattern.FindStringSubmatch(v)
	bad := errs.Field("body.opening_hours", "opening_hours must look like 08:00-22:00")
	if m == nil {
		return bad
	}
	n := make([]int, 4)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	open, closing := n[0]*60+n[1], n[2]*60+n[3]
	if n[0] > 23 || n[1] > 59 || n[3] > 59 || n[2] > 24 || closing > 24*60 || open == closing {
		return bad
	}
	return nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
