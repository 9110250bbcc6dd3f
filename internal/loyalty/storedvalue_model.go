package loyalty

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/oneretail/oneretail/internal/platform/errs"
)

// ErrInsufficientFunds is returned when a spend or a negative adjustment asks for
// more than an account or card holds.
var ErrInsufficientFunds = errs.E(errs.Insufficient, "not enough stored value")

// Default per-card caps (单用途商业预付卡管理办法: an anonymous card holds at most
// ¥1,000, a registered one at most ¥5,000); a tenant may set its own.
const (
	DefaultAnonymousCardCapFen = 100_000
	DefaultRegisteredCapFen    = 500_000
	// maxSVAmountFen bounds one posting (¥1,000,000) so sums never come near overflow.
	maxSVAmountFen = 100_000_000
	// cardLockAttempts wrong PINs in a row lock a card for cardLockFor.
	cardLockAttempts = 5
	cardLockFor      = 15 * time.Minute
)

// SVEntryKind is the kind of a stored-value posting.
type SVEntryKind string

// The stored-value postings. Top-up, refund, rebate and activate add; spend takes;
// an adjustment goes either way with a reason.
const (
	SVTopUp    SVEntryKind = "top_up"
	SVSpend    SVEntryKind = "spend"
	SVRefund   SVEntryKind = "refund"
	SVRebate   SVEntryKind = "rebate"
	SVAdjust   SVEntryKind = "adjust"
	SVActivate SVEntryKind = "activate"
	// SVRebateReverse takes back the rebate of a returned order's refunded share.
	SVRebateReverse SVEntryKind = "rebate_reverse"
)

// SVSettings are a tenant's caps on the balance of a prepaid card.
type SVSettings struct {
	AnonymousCardCapFen int64 // an anonymous gift card
	RegisteredCapFen    int64 // a registered card and a customer's stored-value account
	UpdatedAt           time.Time
}

// Validate reports the first invalid field.
func (s SVSettings) Validate() error {
	switch {
	case s.AnonymousCardCapFen < 1 || s.AnonymousCardCapFen > maxSVAmountFen:
		return errs.Field("body.anonymous_card_cap_fen", "1 to %d fen", maxSVAmountFen)
	case s.RegisteredCapFen < 1 || s.RegisteredCapFen > maxSVAmountFen:
		return errs.Field("body.registered_cap_fen", "1 to %d fen", maxSVAmountFen)
	}
	return nil
}

// SVAccount is a registered customer's stored-value account.
type SVAccount struct {
	ID         string
	CustomerID string
	BalanceFen int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// SVEntry is a posting of the stored-value ledger, on an account or a gift card.
type SVEntry struct {
	ID         string
	HolderID   string // an account or a gift card
	Kind       SVEntryKind
	AmountFen  int64 // signed
	BalanceFen int64 // the holder's balance after the posting
	SourceKey  string
	OrderID    string
	StoreID    string
	Reason     string
	Actor      string
	CreatedAt  time.Time
}

// SVPosting asks for a posting on an account or a card.
type SVPosting struct {
	AmountFen int64  // positive; the kind gives the sign (an adjustment is signed)
	Reference string // the caller's id: posting again with it returns the first entry
	OrderID   string
	StoreID   string
	Reason    string
}

// validate checks a posting of kind: fen bounds, the reference, a reason where needed.
func (p SVPosting) validate(kind SVEntryKind) error {
	switch {
	case kind == SVAdjust && (p.AmountFen == 0 || p.AmountFen > maxSVAmountFen || p.AmountFen < -maxSVAmountFen):
		return errs.Field("body.amount_fen", "a non-zero amount of fen, at most %d either way", maxSVAmountFen)
	case kind != SVAdjust && (p.AmountFen < 1 || p.AmountFen > maxSVAmountFen):
		return errs.Field("body.amount_fen", "1 to %d fen", maxSVAmountFen)
	case len(p.Reference) > 128:
		return errs.Field("body.reference", "at most 128 bytes")
	case (kind == SVTopUp || kind == SVSpend || kind == SVRefund) && p.Reference == "":
		// Money moves once per reference: a till retrying after a timeout must not
		// top up or charge twice.
		return errs.Field("body.reference", "required: the till's or payment's id, so a retry posts nothing")
	case kind == SVAdjust && (p.Reason == "" || len(p.Reason) > 500):
		return errs.Field("body.reason", "1 to 500 bytes: why the balance changes")
	case len(p.Reason) > 500:
		return errs.Field("body.reason", "at most 500 bytes")
	case len(p.OrderID) > 64:
		return errs.Field("body.order_id", "at most 64 bytes")
	case len(p.StoreID) > 64:
		return errs.Field("body.store_id", "at most 64 bytes")
	}
	return nil
}

// signed returns the posting's amount with the kind's sign.
func (p SVPosting) signed(kind SVEntryKind) int64 {
	if kind == SVSpend {
		return -p.AmountFen
	}
	return p.AmountFen
}

// GiftCardStatus is where a card is in its life.
type GiftCardStatus string

// The card statuses: issued (printed, not sold: no value), active (sold).
const (
	CardIssued GiftCardStatus = "issued"
	CardActive GiftCardStatus = "active"
)

// GiftCardBatch is a run of cards issued together.
type GiftCardBatch struct {
	ID           string
	Name         string
	FaceValueFen int64 // loaded on activation; 0: the till loads an amount
	Quantity     int
	Registered   bool // cards must be bound to a customer before activation
	CreatedBy    string
	CreatedAt    time.Time
}

// GiftCardBatchInput creates a batch.
type GiftCardBatchInput struct {
	Name         string
	FaceValueFen int64
	Quantity     int
	Registered   bool
}

// maxBatch bounds one batch: codes are generated in the request.
const maxBatch = 10_000

// Validate reports the first invalid field; caps are checked against the tenant's.
func (in GiftCardBatchInput) Validate(caps SVSettings) error {
	limit := caps.AnonymousCardCapFen
	if in.Registered {
		limit = caps.RegisteredCapFen
	}
	switch {
	case in.Name == "" || len(in.Name) > 200:
		return errs.Field("body.name", "1 to 200 bytes")
	case in.Quantity < 1 || in.Quantity > maxBatch:
		return errs.Field("body.quantity", "1 to %d cards", maxBatch)
	case in.FaceValueFen < 0 || in.FaceValueFen > limit:
		return errs.Field("body.face_value_fen", "0 to %d fen: the cap of a card of this kind", limit)
	}
	return nil
}

// GiftCard is a prepaid card. Its PIN is never stored, only a hash; it is shown once,
// when the batch is issued.
type GiftCard struct {
	ID             string
	BatchID        string
	Code           string
	Status         GiftCardStatus
	CustomerID     string // bound to a customer: registered
	BalanceFen     int64
	FailedAttempts int64
	LockedUntil    time.Time
	ActivatedAt    time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	secretHash     string
	PIN            string // only in the response to the batch's issuance
}

// capFen is the card's cap under caps.
func (c GiftCard) capFen(caps SVSettings) int64 {
	if c.CustomerID != "" {
		return caps.RegisteredCapFen
	}
	return caps.AnonymousCardCapFen
}

// codeAlphabet is Crockford's base 32: no I, L, O or U, so codes read aloud and typed
// from a card survive.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// cardCodeLen is the random part: 16 characters are 80 bits.
const cardCodeLen = 16

// newCardCode returns a random code with its check character (Luhn mod 32, which
// catches every single wrong character and most swaps of neighbours).
func newCardCode() (string, error) {
	b := make([]byte, cardCodeLen)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random card code: %w", err)
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)] // 256 is a multiple of 32: no bias
	}
	return string(b) + string(checkChar(string(b))), nil
}

// checkChar is the Luhn mod N check character of s over codeAlphabet.
func checkChar(s string) byte {
	n := len(codeAlphabet)
	factor, sum := 2, 0
	for i := len(s) - 1; i >= 0; i-- {
		a := strings.IndexByte(codeAlphabet, s[i]) * factor
		sum += a/n + a%n
		factor = 3 - factor
	}
	return codeAlphabet[(n-sum%n)%n]
}

// normaliseCardCode upper-cases a typed code, drops spaces and dashes and maps the
// look-alike letters; it returns "" when the code is malformed or its check
// character is wrong, so a typo never reaches the database or counts as a wrong PIN.
func normaliseCardCode(s string) string {
	s = strings.NewReplacer(" ", "", "-", "").Replace(strings.ToUpper(s))
	s = strings.NewReplacer("O", "0", "I", "1", "L", "1").Replace(s)
	if len(s) != cardCodeLen+1 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(codeAlphabet, s[i]) < 0 {
			return ""
		}
	}
	if checkChar(s[:cardCodeLen]) != s[cardCodeLen] {
		return ""
	}
	return s
}

// newPIN returns a random 6-digit PIN.
func newPIN() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random pin: %w", err)
	}
	for i := range b {
		b[i] = '0' + b[i]%10 // a bias of under 1 in 25: acceptable for a PIN behind a lock-out
	}
	return string(b), nil
}

// pinHash binds a PIN to its card's code; the lock-out, not the hash, is what stops
// guessing (a 6-digit PIN has too few values for any hash to hide).
func pinHash(code, pin string) string {
	h := sha256.Sum256([]byte("oneretail-gift-card\x00" + code + "\x00" + pin))
	return hex.EncodeToString(h[:])
}

func pinMatches(c GiftCard, pin string) bool {
	return subtle.ConstantTimeCompare([]byte(c.secretHash), []byte(pinHash(c.Code, pin))) == 1
}

// Liability is the stored value a tenant owes its customers, as of At.
type Liability struct {
	At                 time.Time
	AccountsFen        int64 // sum of the stored-value accounts' balances
	Accounts           int64 // accounts with a balance
	CardsActiveFen     int64 // sum of the active cards' balances
	CardsActive        int64
	CardsIssued        int64 // printed, not sold: no liability yet
	CardsIssuedFaceFen int64 // what those would load when sold
	LedgerFen          int64 // the ledger's sum, which must equal AccountsFen + CardsActiveFen
}
