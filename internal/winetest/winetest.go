// Package winetest lets tests that run under Wine (make test-windows) know it,
// so that they can scale down what Wine makes slow, and gives os.RemoveAll a
// delete call Wine implements. It is for tests only: nothing outside _test.go
// files imports it.
package winetest

// Running reports whether the process is a Windows program running under
// Wine rather than on Windows (always false on other systems).
func Running() bool { return running }

// Scale returns n, or n divided by div (at least 1) under Wine, where
// starting a process and taking a file lock cost many times what they cost
// on Windows or Linux. Tests use it for counts of processes and rounds, so
// that they still run, with fewer repetitions, instead of being skipped.
func Scale(n, div int) int {
	if !running || div <= 1 {
		return n
	}
	return max(n/div, 1)
}
