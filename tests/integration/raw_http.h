// A raw TCP client for tests that need to stop half-way through a request.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <string>

namespace syncline::testing {

// Connects to the host:port of an http:// URL; -1 on failure.
inline int ConnectTo(const std::string& url) {
  std::string hostport = url.substr(url.find("://") + 3);
  std::string host = hostport.substr(0, hostport.rfind(':'));
  int port = std::stoi(hostport.substr(hostport.rfind(':') + 1));
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// A response as it came off the wire.
struct RawResponse {
  int status = 0;
  std::string head;  // status line and header fields
  std::string body;
  // The value of a header field (case-insensitive name), or "" if absent.
  std::string Header(std::string name) const {
    auto lower = [](std::string s) {
      for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return s;
    };
    std::string h = lower(head);
    size_t at = h.find("\r\n" + lower(name) + ":");
    if (at == std::string::npos) return "";
    size_t begin = at + 2 + name.size() + 1;
    size_t end = head.find("\r\n", begin);
    std::string v = head.substr(begin, end - begin);
    while (!v.empty() && v.front() == ' ') v.erase(v.begin());
    return v;
  }
};

// Sends `request` (which should ask for "Connection: close") and reads the answer to the end.
inline RawResponse RawExchange(const std::string& url, const std::string& request) {
  RawResponse r;
  int fd = ConnectTo(url);
  if (fd < 0 || !SendAll(fd, request)) {
    if (fd >= 0) ::close(fd);
    return r;
  }
  std::string all;
  char buf[65536];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) all.append(buf, static_cast<size_t>(n));
  ::close(fd);
  size_t end = all.find("\r\n\r\n");
  if (end == std::string::npos || all.size() < 12) return r;
  r.head = all.substr(0, end);
  r.body = all.substr(end + 4);
  r.status = std::atoi(all.c_str() + 9);
  return r;
}

}  // namespace syncline::testing
