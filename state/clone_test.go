package state

import (
	"context"
	"os"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// filler sets every field reachable from a value, so that a test sees all
// of State, including fields added after the test was written.
type filler struct {
	t *testing.T
	n int
	// empty makes maps and slices empty but not nil, and pointers nil.
	empty bool
}

var timeType = reflect.TypeFor[time.Time]()

func (f *filler) fill(v reflect.Value, path string) {
	f.n++
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == timeType {
			v.Set(reflect.ValueOf(time.Unix(int64(1_780_000_000+f.n*3600), int64(f.n)).In(time.FixedZone("", 3600))))
			return
		}
		for i := range v.NumField() {
			sf := v.Type().Field(i)
			if !sf.IsExported() {
				f.t.Fatalf("%s.%s is unexported: the filler cannot set it; teach it (and clone) how", path, sf.Name)
			}
			f.fill(v.Field(i), path+"."+sf.Name)
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		if !f.empty {
			for i := range 2 {
				k := reflect.New(v.Type().Key()).Elem()
				f.fill(k, path+"[key]")
				e := reflect.New(v.Type().Elem()).Elem()
				f.fill(e, path+"["+strconv.Itoa(i)+"]")
				m.SetMapIndex(k, e)
			}
		}
		v.Set(m)
	case reflect.Slice:
		n := 2
		if f.empty {
			n = 0
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			f.fill(s.Index(i), path+"["+strconv.Itoa(i)+"]")
		}
		v.Set(s)
	case reflect.Pointer:
		if f.empty {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem(), path)
		v.Set(p)
	case reflect.String:
		v.SetString(path + "#" + strconv.Itoa(f.n))
	case reflect.Bool:
		v.SetBool(!v.Bool()) // set, or changed
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(f.n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(f.n))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(f.n) + 0.5)
	default:
		f.t.Fatalf("%s is a %s: the filler cannot set it; teach it (and clone) how", path, v.Kind())
	}
}

// change changes v in place, down to the elements of the maps and slices
// it holds, and adds an element to every map.
func (f *filler) change(v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == timeType {
			f.fill(v, path)
			return
		}
		for i := range v.NumField() {
			f.change(v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			f.change(e, path+"["+k.String()+"]")
			v.SetMapIndex(k, e)
		}
		k := reflect.New(v.Type().Key()).Elem()
		f.fill(k, path+"[new]")
		e := reflect.New(v.Type().Elem()).Elem()
		f.fill(e, path+"[new]")
		v.SetMapIndex(k, e)
	case reflect.Slice:
		for i := range v.Len() {
			f.change(v.Index(i), path+"["+strconv.Itoa(i)+"]")
		}
	case reflect.Pointer:
		if !v.IsNil() {
			f.change(v.Elem(), path)
		}
	default:
		f.fill(v, path)
	}
}

func filledState(t *testing.T, empty bool) *State {
	s := new(State)
	(&filler{t: t, empty: empty}).fill(reflect.ValueOf(s).Elem(), "State")
	return s
}

// shared reports the paths at which a and b (deeply equal values) share a
// map, a slice's array or a pointer's target: where changing one would
// change the other.
func shared(a, b reflect.Value, path string, out *[]string) {
	switch a.Kind() {
	case reflect.Struct:
		if a.Type() == timeType {
			return // a value; its *Location is never changed
		}
		for i := range a.NumField() {
			shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name, out)
		}
	case reflect.Map:
		if !a.IsNil() && a.UnsafePointer() == b.UnsafePointer() {
			*out = append(*out, path)
			return
		}
		for _, k := range a.MapKeys() {
			shared(a.MapIndex(k), b.MapIndex(k), path+"["+k.String()+"]", out)
		}
	case reflect.Slice:
		if a.Cap() > 0 && a.UnsafePointer() == b.UnsafePointer() {
			*out = append(*out, path)
			return
		}
		for i := range a.Len() {
			shared(a.Index(i), b.Index(i), path+"["+strconv.Itoa(i)+"]", out)
		}
	case reflect.Pointer:
		if !a.IsNil() && a.UnsafePointer() == b.UnsafePointer() {
			*out = append(*out, path)
			return
		}
		if !a.IsNil() {
			shared(a.Elem(), b.Elem(), path, out)
		}
	}
}

// TestCloneSharesNothing holds clone to being a deep copy of every field of
// State: a field added later that clone copies shallowly, or not at all,
// fails here.
func TestCloneSharesNothing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		empty bool
	}{{"full", false}, {"empty", true}} {
		t.Run(tc.name, func(t *testing.T) {
			orig := filledState(t, tc.empty)
			twin := filledState(t, tc.empty) // what orig must stay
			c := orig.clone()
			if !reflect.DeepEqual(c, orig) {
				t.Fatalf("clone differs from the original:\n got %+v\nwant %+v", c, orig)
			}
			var out []string
			shared(reflect.ValueOf(orig).Elem(), reflect.ValueOf(c).Elem(), "State", &out)
			for _, p := range out {
				t.Errorf("the clone shares %s with the original", p)
			}
			// Overwrite the clone everywhere: the original stays as it was.
			(&filler{t: t, n: 1000}).change(reflect.ValueOf(c).Elem(), "State")
			if !reflect.DeepEqual(orig, twin) {
				t.Error("changing the clone changed the original")
			}
		})
	}
	t.Run("nil", func(t *testing.T) {
		orig := &State{Accounts: []Account{{Seen: map[string]*SeenSet{KindMessages: nil}, Children: []Child{{}}}}}
		if c := orig.clone(); !reflect.DeepEqual(c, orig) {
			t.Fatalf("clone = %+v, want %+v", c, orig)
		}
	})
}

// TestReadOfUnchangedBytesIsAFreshCopy: a read that finds the bytes the
// Store decoded last decodes nothing, and what it gives is the file's
// state however earlier readers changed theirs.
func TestReadOfUnchangedBytesIsAFreshCopy(t *testing.T) {
	st := mustOpen(t)
	ctx := context.Background()
	if err := st.Update(ctx, func(s *State) error {
		addSeen(s, "k1")
		s.History = []Entry{{ID: "h1", Done: []string{"desktop"}}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := decodeFile(t, st)
	// Readers scribble over everything they are given, and a failing
	// Update over its state too: none of it may reach the next reader. The
	// first read decodes; the others find the same bytes.
	scribble := func(s *State) {
		(&filler{t: t, n: 5000}).change(reflect.ValueOf(s).Elem(), "State")
	}
	d0, _ := st.IOCounts()
	for range 3 {
		st.View(ctx, func(s State) error { scribble(&s); return nil })
		st.Update(ctx, func(s *State) error { scribble(s); return os.ErrInvalid })
	}
	if got := mustView(t, st); !reflect.DeepEqual(got, *want) {
		t.Fatalf("state after reads that changed their copies:\n got %+v\nwant %+v", got, *want)
	}
	if d1, _ := st.IOCounts(); d1 != d0+1 {
		t.Errorf("seven reads of unchanged bytes decoded %d times, want once", d1-d0)
	}
}

// TestReadAfterAnotherWriterDecodes: bytes another Store (another process)
// wrote are decoded, even when the file keeps its size.
func TestReadAfterAnotherWriterDecodes(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	set := func(st *Store, lang string) {
		t.Helper()
		if err := st.Update(ctx, func(s *State) error { s.Settings.Language = lang; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	set(a, "nl")
	if got := mustView(t, a).Settings.Language; got != "nl" {
		t.Fatalf("language = %q, want nl", got)
	}
	set(b, "en") // same length: only the bytes differ
	if got := mustView(t, a).Settings.Language; got != "en" {
		t.Fatalf("after another writer: language = %q, want en", got)
	}
	// Bytes written from outside the app are read as they are, too.
	data, err := os.ReadFile(a.Path())
	if err != nil {
		t.Fatal(err)
	}
	data = []byte(string(data[:len(data)-1]) + " \n")
	if err := os.WriteFile(a.Path(), data, 0o600); err != nil {
		t.Fatal(err)
	}
	d0, _ := a.IOCounts()
	mustView(t, a)
	if d1, _ := a.IOCounts(); d1 != d0+1 {
		t.Errorf("a changed file was decoded %d times, want once", d1-d0)
	}
}
