// Loopback sockets for test servers (TcpProxy, FakePeer).
#pragma once

namespace syncline::testing {

// A listening TCP socket on 127.0.0.1 with a free port, stored in *port. Throws
// std::runtime_error if it cannot listen (test-only code: a failed setup ends the test).
int ListenOnLoopback(int* port);

// A TCP connection to 127.0.0.1:port with TCP_NODELAY, or -1.
int ConnectLoopback(int port);

}  // namespace syncline::testing
