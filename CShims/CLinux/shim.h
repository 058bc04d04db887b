// Linux system calls used by the event loop: epoll, eventfd, timerfd, accept4, gettid.
#ifndef SWITCHYARD_CLINUX_SHIM_H
#define SWITCHYARD_CLINUX_SHIM_H

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <unistd.h>

// Declared here because the glibc headers only declare these under _GNU_SOURCE, which would make this module
// disagree with the Glibc module about shared types.
extern int accept4(int fd, struct sockaddr *_Nullable addr, socklen_t *_Nullable len, int flags);
extern pid_t gettid(void);

static inline int CLinux_accept4(int fd, struct sockaddr *_Nullable addr, socklen_t *_Nullable len, int flags) {
    return accept4(fd, addr, len, flags);
}

static inline pid_t CLinux_gettid(void) { return gettid(); }

static inline int CLinux_errno(void) { return errno; }

#endif
