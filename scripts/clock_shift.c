/* Run a command with the wall clock moved: the check that no test depends on today.

   Only CLOCK_REALTIME, gettimeofday() and time() move, by SHIFT_SECONDS; monotonic
   clocks, sleeps and timed waits stay real. (libfaketime 0.9.10 from apt moves those
   too, and then Python 3.11's timed thread waits never wake, or time.sleep() fails
   with EINVAL.) Every process that inherits LD_PRELOAD sees the moved date: Python,
   ffmpeg, Chromium, Node.

     gcc -shared -fPIC -O2 -o /tmp/libclockshift.so scripts/clock_shift.c -ldl
     SHIFT_SECONDS=$((379*86400)) LD_PRELOAD=/tmp/libclockshift.so python scripts/test.py
*/
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static long shift(void) {
    static long value = -1;
    if (value == -1) {
        const char *text = getenv("SHIFT_SECONDS");
        value = text ? atol(text) : 0;
    }
    return value;
}

int clock_gettime(clockid_t id, struct timespec *ts) {
    static int (*real)(clockid_t, struct timespec *);
    if (!real) real = dlsym(RTLD_NEXT, "clock_gettime");
    int result = real(id, ts);
    if (result == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) ts->tv_sec += shift();
    return result;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
    static int (*real)(struct timeval *, void *);
    if (!real) real = dlsym(RTLD_NEXT, "gettimeofday");
    int result = real(tv, tz);
    if (result == 0 && tv) tv->tv_sec += shift();
    return result;
}

time_t time(time_t *out) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (out) *out = ts.tv_sec;
    return ts.tv_sec;
}
