#ifndef SCREENPOP_CCACHEHINTS_H
#define SCREENPOP_CCACHEHINTS_H

/// Asks the CPU to start loading the cache line at `address` for reading, without waiting for it.
///
/// Swift has no prefetch of its own. A prefetch never faults, so `address` may lie past the end of
/// an allocation: the hint is then only wasted.
static inline __attribute__((always_inline)) void screenpop_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
