// Helpers over the Store interface that every backend shares.
#include "store/store.h"

namespace syncline {

Result<std::vector<ConfigEntry>> ListAllConfig(Store* store, std::string_view db,
                                               std::string_view prefix) {
  constexpr int64_t kPage = 1000;
  std::vector<ConfigEntry> out;
  std::string after;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(auto page, store->ListConfig(db, prefix, after, kPage));
    bool last = static_cast<int64_t>(page.size()) < kPage;
    if (!page.empty()) after = page.back().name;
    for (auto& e : page) out.push_back(std::move(e));
    if (last) return out;
  }
}

}  // namespace syncline
