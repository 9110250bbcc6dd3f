package routing

import "math"

// EarthRadiusKm is the mean radius of the Earth (IUGG) that Haversine uses.
const EarthRadiusKm = 6371.0088

// Haversine returns the great-circle distance in kilometres between a and b on a
// sphere of EarthRadiusKm: the straight-line ("as the crow flies") distance, which
// is what the delivery radius is measured in. Within a city it is within 0.5% of the
// ellipsoidal distance; the road distance is longer.
func Haversine(a, b Point) float64 {
	const rad = math.Pi / 180
	φ1, φ2 := a.Lat*rad, b.Lat*rad
	dφ, dλ := (b.Lat-a.Lat)*rad, (b.Lng-a.Lng)*rad
	s1, s2 := math.Sin(dφ/2), math.Sin(dλ/2)
	h := s1*s1 + math.Cos(φ1)*math.Cos(φ2)*s2*s2
	return 2 * EarthRadiusKm * math.Asin(math.Sqrt(min(1, h)))
}
