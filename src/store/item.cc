// Names of item kinds as the API and CLI spell them.
#include "store/item.h"

namespace syncline {

std::string_view ItemKindName(ItemKind kind) {
  return kind == ItemKind::kFile ? "file" : "document";
}

}  // namespace syncline
