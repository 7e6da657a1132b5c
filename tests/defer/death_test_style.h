// How the death tests start their child. "threadsafe" re-executes the test
// binary, so the child starts without this process's threads. A cross build
// runs its tests under qemu-user, where the kernel cannot execute an arm64
// binary (that would need binfmt_misc, a system setting), so there the child
// is forked instead ("fast"); these tests start no thread of their own.
#pragma once

#ifndef DEFERBENCH_DEATH_TEST_STYLE
#define DEFERBENCH_DEATH_TEST_STYLE "threadsafe"
#endif
