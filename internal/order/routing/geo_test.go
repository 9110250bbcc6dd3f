package routing

import (
	"math"
	"testing"
)

func TestHaversine(t *testing.T) {
	t.Parallel()
	peoplesSquare := Point{31.2304, 121.4737}
	orientalPearl := Point{31.2397, 121.4998}
	pudongAirport := Point{31.1443, 121.8083}
	hongqiaoAirport := Point{31.1979, 121.3363}
	tests := []struct {
		name string
		a, b Point
		want float64 // km
		tol  float64
	}{
		// Expected values from an independent implementation (Python, R = 6371.0088 km).
		{"People's Square to the Oriental Pearl Tower", peoplesSquare, orientalPearl, 2.6884, 0.0005},
		{"Pudong to Hongqiao airport", pudongAirport, hongqiaoAirport, 45.3005, 0.0005},
		{"one degree of longitude on the equator", Point{0, 0}, Point{0, 1}, 111.1951, 0.0001},
		{"antipodes", Point{0, 0}, Point{0, 180}, 20015.1144, 0.001},
		{"same point", peoplesSquare, peoplesSquare, 0, 0},
		{"across the antimeridian", Point{0, 179.5}, Point{0, -179.5}, 111.1951, 0.0001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Haversine(tt.a, tt.b); math.Abs(got-tt.want) > tt.tol {
				t.Errorf("Haversine = %.6f km, want %.4f", got, tt.want)
			}
			if d1, d2 := Haversine(tt.a, tt.b), Haversine(tt.b, tt.a); d1 != d2 {
				t.Errorf("not symmetric: %v vs %v", d1, d2)
			}
		})
	}
	// Rosetta Code's reference, Nashville to Los Angeles: 2887.2599506071106 km on a
	// sphere of 6372.8 km.
	if got := Haversine(Point{36.12, -86.67}, Point{33.94, -118.40}) * 6372.8 / EarthRadiusKm; math.Abs(got-2887.2599506071106) > 1e-9 {
		t.Errorf("Nashville–LAX = %.10f km", got)
	}
}
