package graph

import (
	"github.com/oneretail/oneretail/internal/platform/errs"
)

// Type is an identifier type. Its String form is the stable snake_case name that
// integrators send (for example "phone" or "wechat_unionid").
type Type uint8

// The identifier types. The zero Type is invalid.
const (
	TypePhone              Type = iota + 1 // mobile phone, E.164 (+86…)
	TypeEmail                              // e-mail address, lower case
	TypeMemberCard                         // loyalty member card number
	TypeWeChatUnionID                      // WeChat unionid (one per person across a brand's apps)
	TypeWeChatOpenID                       // WeChat openid (one per person per app)
	TypeAppUserID                          // the brand app's user id
	TypeAlipayUserID                       // Alipay user id
	TypeMarketplaceBuyerID                 // Tmall/JD buyer id or nick
	TypeDeliveryUserID                     // Meituan/Eleme user id
	TypeDeviceID                           // a device id (IDFA, OAID, POS tablet…)
	TypeCookieID                           // a web cookie id
	TypePOSCustomerRef                     // a POS system's customer reference
	TypeMaskedPhone                        // a masked phone such as 138****1234 (delivery platforms)

	numTypes = int(TypeMaskedPhone) + 1
)

var typeNames = [numTypes]string{
	TypePhone:              "phone",
	TypeEmail:              "email",
	TypeMemberCard:         "member_card",
	TypeWeChatUnionID:      "wechat_unionid",
	TypeWeChatOpenID:       "wechat_openid",
	TypeAppUserID:          "app_user_id",
	TypeAlipayUserID:       "alipay_user_id",
	TypeMarketplaceBuyerID: "marketplace_buyer_id",
	TypeDeliveryUserID:     "delivery_user_id",
	TypeDeviceID:           "device_id",
	TypeCookieID:           "cookie_id",
	TypePOSCustomerRef:     "pos_customer_ref",
	TypeMaskedPhone:        "masked_phone",
}

// Types returns every valid identifier type in a stable order.
func Types() []Type {
	out := make([]Type, 0, numTypes-1)
	for t := Type(1); int(t) < numTypes; t++ {
		out = append(out, t)
	}
	return out
}

// String returns the stable snake_case name of t, or "invalid".
func (t Type) String() string {
	if !t.Valid() {
		return "invalid"
	}
	return typeNames[t]
}

// Valid reports whether t is one of the defined types.
func (t Type) Valid() bool { return t > 0 && int(t) < numTypes }

// ParseType returns the Type named name (for example "wechat_openid"). It returns an
// errs.Invalid error for an unknown name.
func ParseType(name string) (Type, error) {
	for t := Type(1); int(t) < numTypes; t++ {
		if typeNames[t] == name {
			return t, nil
		}
	}
	return 0, errs.E(errs.Invalid, "unknown identifier type %q", name)
}

// Strength says how much an identifier proves that two records are one person.
type Strength uint8

// The strengths, weakest first.
const (
	Weak   Strength = iota + 1 // shared by people: devices, cookies
	Medium                     // one person, but scoped or reissued: openid, marketplace ids
	Strong                     // one person: phone, unionid, member card, app user id, e-mail, Alipay
)

// String returns "weak", "medium" or "strong".
func (s Strength) String() string {
	switch s {
	case Weak:
		return "weak"
	case Medium:
		return "medium"
	case Strong:
		return "strong"
	}
	return "invalid"
}

// Normalization names how an identifier value is normalised by [Normalize].
type Normalization uint8

// The normalisation kinds.
const (
	NormID          Normalization = iota + 1 // trimmed, case preserved
	NormPhone                                // China mobile to E.164: +86 and 11 digits starting with 1
	NormEmail                                // trimmed, lower case, validated
	NormCard                                 // upper case, spaces and dashes removed, letters and digits only
	NormMaskedPhone                          // 11 characters of digits and '*', last four digits, e.g. 138****1234
)

// Rule is the per-type policy.
type Rule struct {
	Normalization Normalization
	Strength      Strength
	// MaxPerCustomer is how many distinct identifiers of this type one customer may
	// hold; 0 means no limit (ResolveAll also treats 255 or more as no limit).
	MaxPerCustomer int
	// Links says whether a shared identifier of this type may tie two records to one
	// customer. A non-linking identifier (masked phone) is kept on the customer as a
	// fuzzy-matching feature only.
	Links bool
}

// Rules is a tenant's identity policy. Build one with [DefaultRules] and adjust it.
type Rules struct {
	// Types holds the rule of each Type, indexed by Type.
	Types [numTypes]Rule
	// MaxClusterSize is the most identifiers one customer may hold in total; a merge
	// or attach beyond it is refused for review. 0 means no limit.
	MaxClusterSize int
}

// DefaultRules returns the rules OneRetail ships with: at most one phone, e-mail,
// unionid, member card, app user id and Alipay id per customer; openids, marketplace
// and delivery ids several; devices and cookies weak; masked phones never link.
func DefaultRules() Rules {
	var r Rules
	set := func(t Type, n Normalization, s Strength, limit int, links bool) {
		r.Types[t] = Rule{Normalization: n, Strength: s, MaxPerCustomer: limit, Links: links}
	}
	set(TypePhone, NormPhone, Strong, 1, true)
	set(TypeEmail, NormEmail, Strong, 1, true)
	set(TypeMemberCard, NormCard, Strong, 1, true)
	set(TypeWeChatUnionID, NormID, Strong, 1, true)
	set(TypeWeChatOpenID, NormID, Medium, 8, true)
	set(TypeAppUserID, NormID, Strong, 1, true)
	set(TypeAlipayUserID, NormID, Strong, 1, true)
	set(TypeMarketplaceBuyerID, NormID, Medium, 4, true)
	set(TypeDeliveryUserID, NormID, Medium, 4, true)
	set(TypeDeviceID, NormID, Weak, 8, true)
	set(TypeCookieID, NormID, Weak, 0, true)
	set(TypePOSCustomerRef, NormID, Medium, 4, true)
	set(TypeMaskedPhone, NormMaskedPhone, Weak, 4, false)
	r.MaxClusterSize = 64
	return r
}

// Rule returns the rule of t (the zero Rule for an invalid type).
func (r *Rules) Rule(t Type) Rule {
	if !t.Valid() {
		return Rule{}
	}
	return r.Types[t]
}

// Validate reports an errs.Invalid error when a valid type has no normalisation or
// strength, or a limit is negative.
func (r *Rules) Validate() error {
	for _, t := range Types() {
		rl := r.Types[t]
		if rl.Normalization < NormID || rl.Normalization > NormMaskedPhone {
			return errs.E(errs.Invalid, "rules: %s: unknown normalisation", t)
		}
		if rl.Strength < Weak || rl.Strength > Strong {
			return errs.E(errs.Invalid, "rules: %s: unknown strength", t)
		}
		if rl.MaxPerCustomer < 0 {
			return errs.E(errs.Invalid, "rules: %s: negative max per customer", t)
		}
	}
	if r.MaxClusterSize < 0 {
		return errs.E(errs.Invalid, "rules: negative max cluster size")
	}
	return nil
}
