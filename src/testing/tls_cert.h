// Certificates made at test time: a private CA and a server certificate it signed for
// 127.0.0.1, ::1 and localhost, as PEM files. Nothing is checked in, so nothing expires.
#pragma once

#include <string>

namespace syncline::testing {

struct TestCertificates {
  std::string ca_file;    // the CA's certificate: what clients trust (--ca-file)
  std::string cert_file;  // the server's certificate (--tls-cert)
  std::string key_file;   // its private key (--tls-key)
};

// Writes the three files into `dir`. Fails the test (ADD_FAILURE) and returns empty paths on
// an OpenSSL error.
TestCertificates MakeTestCertificates(const std::string& dir);

}  // namespace syncline::testing
