// A spin-wait hint for the backbone's worker team (Parallel.SpinTeam).
#ifndef SEGAD_SPIN_H
#define SEGAD_SPIN_H

/// Tells the CPU this thread is in a spin-wait loop (x86 PAUSE).
static inline void segad_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

#endif
