/*
 * The echo bench's native load generator (Linux): ping-pong over N
 * connections, as bench/src/load.ts does with node:net, printing the same
 * JSON line. node:net's generator tops out near 68k round trips/s on one
 * CPU of the test VM, at or below what the servers do at 50 connections;
 * this one does several times that, so a figure is the server's.
 *
 * Built by the harness with the system's C compiler (`--load native`).
 * Arguments: --host H --port P --connections N --size B --warmup MS
 * --duration MS. One thread, epoll, level-triggered, non-blocking sockets.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
  int fd;
  int connected;
  int served;
  int lost;
  size_t have;     /* bytes of the current answer received */
  uint64_t sentAt; /* when the round trip in flight was sent (ns) */
};

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int compare_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static const char *arg(int argc, char **argv, const char *name, const char *fallback) {
  for (int i = 1; i + 1 < argc; i += 2)
    if (strcmp(argv[i] + 2, name) == 0) return argv[i + 1];
  return fallback;
}

int main(int argc, char **argv) {
  const char *host = arg(argc, argv, "host", "127.0.0.1");
  int port = atoi(arg(argc, argv, "port", "0"));
  int count = atoi(arg(argc, argv, "connections", "1"));
  size_t size = (size_t)atoi(arg(argc, argv, "size", "64"));
  uint64_t warmup = (uint64_t)atoll(arg(argc, argv, "warmup", "1000")) * 1000000ull;
  uint64_t duration = (uint64_t)atoll(arg(argc, argv, "duration", "3000")) * 1000000ull;
  if (strcmp(arg(argc, argv, "mode", "pingpong"), "pingpong") != 0) {
    fprintf(stderr, "echo-load: only --mode pingpong is native; use the node:net generator for bulk\n");
    return 2;
  }
  if (port <= 0 || count <= 0 || size == 0) {
    fprintf(stderr, "echo-load: needs --port, and --connections and --size above 0\n");
    return 2;
  }

  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &to.sin_addr) != 1) {
    fprintf(stderr, "echo-load: --host must be an IPv4 address, got %s\n", host);
    return 2;
  }
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct conn *conns = calloc((size_t)count, sizeof *conns);
  char *message = malloc(size);
  char *scratch = malloc(65536);
  memset(message, 'a', size);
  /* Latencies of the measured round trips, in microseconds (grown as needed). */
  size_t latencyCap = 1 << 20, latencyCount = 0;
  uint32_t *latencies = malloc(latencyCap * sizeof *latencies);

  for (int i = 0; i < count; i++) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&to, sizeof to) < 0 && errno != EINPROGRESS) {
      conns[i].lost = 1;
      close(fd);
      conns[i].fd = -1;
      continue;
    }
    conns[i].fd = fd;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }

  uint64_t started = now_ns();
  uint64_t measureFrom = started + warmup, measureUntil = measureFrom + duration;
  uint64_t roundTrips = 0, roundTripsTotal = 0;
  struct epoll_event events[256];
  for (;;) {
    uint64_t t = now_ns();
    if (t >= measureUntil) break;
    int n = epoll_wait(ep, events, 256, (int)((measureUntil - t) / 1000000ull) + 1);
    for (int k = 0; k < n; k++) {
      struct conn *c = &conns[events[k].data.u32];
      if (c->lost) continue;
      if (!c->connected) {
        int error = 0;
        socklen_t len = sizeof error;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &len);
        if (error != 0 || (events[k].events & (EPOLLERR | EPOLLHUP))) {
          c->lost = 1;
          epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
          continue;
        }
        if (!(events[k].events & EPOLLOUT)) continue;
        c->connected = 1;
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = events[k].data.u32};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        c->sentAt = now_ns();
        if (send(c->fd, message, size, MSG_NOSIGNAL) != (ssize_t)size) c->lost = 1;
        continue;
      }
      ssize_t got = recv(c->fd, scratch, 65536, 0);
      if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
        c->lost = 1;
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        continue;
      }
      if (got < 0) continue;
      c->have += (size_t)got;
      while (c->have >= size) {
        c->have -= size;
        c->served = 1;
        roundTripsTotal++;
        uint64_t at = now_ns();
        if (at >= measureFrom && at < measureUntil) {
          roundTrips++;
          if (latencyCount == latencyCap) latencies = realloc(latencies, (latencyCap *= 2) * sizeof *latencies);
          latencies[latencyCount++] = (uint32_t)((at - c->sentAt) / 1000ull);
        }
        c->sentAt = at;
        /* 64 bytes into an empty socket buffer: all or nothing in practice; a short send counts as lost. */
        if (send(c->fd, message, size, MSG_NOSIGNAL) != (ssize_t)size) c->lost = 1;
      }
    }
  }

  uint64_t end = now_ns();
  int connected = 0, served = 0, failed = 0;
  for (int i = 0; i < count; i++) {
    connected += conns[i].connected;
    served += conns[i].served;
    /* Lost with its connection, or unanswered for over a second at the end. */
    if (conns[i].lost || (conns[i].connected && end - conns[i].sentAt > 1000000000ull)) failed++;
    if (conns[i].fd >= 0) close(conns[i].fd);
  }
  qsort(latencies, latencyCount, sizeof *latencies, compare_u32);
  double seconds = (double)duration / 1e9;
  uint32_t p50 = latencyCount ? latencies[latencyCount / 2] : 0;
  uint32_t p99 = latencyCount ? latencies[(size_t)((double)latencyCount * 0.99)] : 0;
  printf("{\"roundTripsPerSec\":%.1f,\"mbPerSec\":0,\"p50us\":%u,\"p99us\":%u,\"connections\":%d,\"connected\":%d,"
         "\"served\":%d,\"roundTripsTotal\":%llu,\"failedRoundTrips\":%d}\n",
         (double)roundTrips / seconds, p50, p99, count, connected, served, (unsigned long long)roundTripsTotal, failed);
  return 0;
}
