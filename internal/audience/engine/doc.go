// Package engine is OneRetail's pure audience engine: it evaluates segment and
// rule-tag conditions over one tenant's members held as compressed bitmaps
// (github.com/RoaringBitmap/roaring/v2). It has no database and no HTTP; the
// audience service fills an Index from its tables and events and asks it for
// members and counts.
//
// # Members and fields
//
// Members are dense uint32 ids per tenant. An Index holds the universe of live
// members and, per field registered with Define, one of three kinds:
//
//   - Number: one int64 per member, stored as a bit-sliced index (one bitmap per
//     bit of the magnitude plus existence and sign bitmaps), so =, <, between … are
//     a few bitmap operations per bit, never a loop over members;
//   - Set: zero or more strings per member, one bitmap per value (an enum is a Set
//     with at most one value per member);
//   - Flag: one bitmap.
//
// Named segment bitmaps (Tx.SetSegment) answer in_segment. Tx changes one member at
// a time in O(the fields it touches); Tx.Remove takes a member out of the universe.
//
// # Field names
//
// Field names are chosen by the service; the engine reserves "days_since:" and
// "segment:" and gives behaviour fields this convention, which the text form's
// functions expand to:
//
//	orders:<window>            Number  orders completed in the window         orders(30d)
//	spend_fen:<window>         Number  spend in fen in the window             spend(90d), literals in yuan
//	bought_category:<window>   Set     category codes bought in the window    bought("infant_formula", 90d)
//	events:<type>:<window>     Number  events of the type in the window       did("wechat_open", 30d) >= 2
//	last_order_day             Number  Day of the last order                  days_since(last_order_day) > 30
//	tag:<code>                 any     a tag's value (Flag for boolean tags)   tag("vip"), tag:rfm_layer = "x"
//
// Windows are Windows(): 7d, 30d, 90d, 180d, 365d and all. Attributes use plain
// names (gender, city, age, tier). A zero count may be stored or left absent, but
// comparisons need a value: not did("order", 30d) matches both, orders(30d) = 0
// only a stored zero.
//
// # Conditions
//
// A Cond nests and, or and not over comparisons and in_segment. not is relative to
// the live members. Semantics per field kind, v being the member's value:
//
//	Number  = != < <= > >= between in      need a value: a member without one never matches
//	        not_in, !=                     have a value and differ
//	Set     = "x", in (…)                  holds x / holds one of them
//	        != "x", not in (…)             holds values, none of them x / in the list
//	Flag    exists, missing only
//	all     exists / missing               has a value (a non-empty set, the flag set) / has none
//
// days_since(F) compares today minus the Day in Number field F: "last order more
// than 30 days ago" is days_since(last_order_day) > 30, and a member who never
// ordered does not match it (use "not did(\"order\", all)" for those).
//
// # Text form
//
//	expr       = and { "or" and }
//	and        = unary { "and" unary }
//	unary      = "not" unary | "(" expr ")" | predicate
//	predicate  = "bought" "(" string "," window ")" | "tag" "(" string ")"
//	           | "in_segment" "(" string ")" | subject [ comparison ]   (only did(…) may stand alone: >= 1)
//	subject    = field | "did" "(" string "," window ")" | "orders" "(" window ")"
//	           | "spend" "(" window ")" | "days_since" "(" field ")"
//	comparison = ("=" | "!=" | "<" | "<=" | ">" | ">=") literal | "between" literal "and" literal
//	           | ["not"] "in" "(" literal { "," literal } ")" | "exists" | "missing"
//	field      = [A-Za-z_][A-Za-z0-9_:.-]* (not a keyword) | "`" any name "`"
//	literal    = integer | Go-quoted string; after spend(…) yuan with up to 2 decimals
//	window     = 7d | 30d | 90d | 180d | 365d | all
//
// Parse reports a *ParseError with the byte offset, the column and what was
// expected; Format returns the canonical text and Parse(Format(c)) equals c.
//
// # JSON form
//
// Cond.MarshalJSON and ParseJSON: {"op":"and","conditions":[…]},
// {"op":"not","condition":{…}}, {"op":">=","field":"orders:30d","value":3},
// {"op":"in","field":"tier","values":["gold"]}, {"op":"exists","field":"tag:vip"},
// {"op":"in_segment","segment":"low_churn"}. Amounts are integers (fen). Errors
// are *PathError naming the path, such as conditions[2].op.
//
// # Evaluation, rule tags and segment references
//
// Index.Evaluate and Index.Count answer a condition; Index.Check names an
// unknown field or segment or a type mismatch before a segment is saved. EvalRow
// evaluates one member's Row without an index: it is the rule-tag evaluator
// (orders_90d >= 3 and avg_basket_yuan > 200) and gives the same answer as the
// Index. Segments may refer to segments but not in a cycle: Order returns the
// evaluation order of a set of definitions or names the cycle.
//
// # Concurrency
//
// An Index is safe for concurrent use: evaluations share a read lock, Update and
// Define take the write lock, so a count never sees half an update.
package engine
