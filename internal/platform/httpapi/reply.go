package httpapi

// Body is a huma response whose body is T.
type Body[T any] struct{ Body T }

// Reply returns a function that turns a service result into a response: an error
// becomes a problem (see Problem), a value becomes the body converted with convert.
// A handler then reads
//
//	return httpapi.Reply(storeResponse)(s.FindStoreByID(ctx, in.ID))
func Reply[T, R any](convert func(T) R) func(T, error) (*Body[R], error) {
	return func(v T, err error) (*Body[R], error) {
		if err != nil {
			return nil, Problem(err)
		}
		return &Body[R]{Body: convert(v)}, nil
	}
}

// ReplyPage is Reply for a page of items: each item is converted with convert.
func ReplyPage[T, R any](convert func(T) R) func(Page[T], error) (*Body[Page[R]], error) {
	return Reply(func(p Page[T]) Page[R] { return MapPage(p, convert) })
}

// MapPage returns p with every item converted with convert. Its items are never nil,
// so an empty page still shows "items": [].
func MapPage[T, R any](p Page[T], convert func(T) R) Page[R] {
	items := make([]R, len(p.Items))
	for i, v := range p.Items {
		items[i] = convert(v)
	}
	return Page[R]{Items: items, NextCursor: p.NextCursor}
}
