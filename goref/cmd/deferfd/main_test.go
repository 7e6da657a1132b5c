package main

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

func TestDescriptorBaseIsAtOrAboveTheHardLimitAndNothingOpen(t *testing.T) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	base, err := descriptorBase(100)
	if err != nil {
		t.Fatal(err)
	}
	if uint64(base) < lim.Max && lim.Max <= 1<<31 {
		t.Fatalf("base %d is below the hard limit %d", base, lim.Max)
	}
	for fd := base; fd < base+100; fd++ {
		if _, err := os.Stat(filepath.Join("/proc/self/fd", strconv.Itoa(fd))); err == nil {
			t.Fatalf("descriptor %d is open", fd)
		}
	}
}

func TestNoFDRunsEveryDeferredCloseAndReadsEBADF(t *testing.T) {
	base, err := descriptorBase(300)
	if err != nil {
		t.Fatal(err)
	}
	r := result{}
	if err := withDefersNoFD(config{dir: t.TempDir(), n: 300, pick: 7, base: base}, &r); err != nil {
		t.Fatal(err)
	}
	if r.Opened != 300 || r.ReadError != "EBADF" || r.Read != 0 {
		t.Fatalf("got %+v", r)
	}
}

func TestNoFDRefusesANumberThatIsOpen(t *testing.T) {
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	// Its Close is deferred by withDefersNoFD; d is open, so the read finds it.
	r := result{}
	if err := withDefersNoFD(config{dir: "x", n: 1, pick: 0, base: d}, &r); err == nil {
		t.Fatal("a read of an open descriptor was taken as EBADF")
	}
}

func TestKernelBatchesOpensAndClosesEveryFile(t *testing.T) {
	dir := t.TempDir()
	var names []*byte
	for i := 0; i < 5; i++ {
		if err := os.WriteFile(name(dir, i), []byte(strconv.Itoa(i)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		p, _ := syscall.BytePtrFromString(name(dir, i))
		names = append(names, p)
	}
	before, _ := os.ReadDir("/proc/self/fd")
	r := result{}
	if err := kernelBatches(config{dir: dir, n: 23, names: names}, &r); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadDir("/proc/self/fd")
	if r.Opened != 23 || len(after) != len(before) {
		t.Fatalf("opened %d of 23; descriptors %d before, %d after", r.Opened, len(before), len(after))
	}
}
