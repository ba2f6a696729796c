// Random (version 4) UUIDs in their usual text form.
#pragma once

#include <string>

#include "syncline/env.h"

namespace syncline {

// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" from 16 random bytes of `random`.
std::string NewUuid(Random* random);

}  // namespace syncline
