// The shared library's own translation unit: libsyncline-client.so is the client layer
// (linked whole) and what it uses from the layers below; see CMakeLists.txt.
#include "syncline/sync_engine.h"
