package channel_test

import (
	"testing"

	"github.com/oneretail/oneretail/internal/order/channel"
)

// BenchmarkDecode decodes the new-order samples (3 lines each): signature,
// window and full parse.
func BenchmarkDecode(b *testing.B) {
	for _, bm := range []struct {
		name string
		a    channel.Adapter
		n    channel.Notification
	}{
		{"meituan", meituanAdapter(b, fuzzNow, 0), meituanNotification(b, loadSource(b, "meituan_new_order"))},
		{"eleme", elemeAdapter(b, fuzzNow, 0), elemeNotification(b, loadSource(b, "eleme_new_order"))},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bm.n.Body)))
			for b.Loop() {
				if _, err := bm.a.Decode(bm.n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
