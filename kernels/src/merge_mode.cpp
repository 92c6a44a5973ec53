// Names of the merge modes, as the CLI's --merge accepts them.

#include "mrast/burn.hpp"

namespace mrast {
namespace {

struct ModeName {
    MergeMode mode;
    const char *name;
};
constexpr ModeName kModes[] = {
    {MergeMode::Last, "last"}, {MergeMode::First, "first"}, {MergeMode::Min, "min"},
    {MergeMode::Max, "max"},   {MergeMode::Sum, "sum"},     {MergeMode::Count, "count"},
    {MergeMode::Mean, "mean"},
};

bool equals_ignore_case(const char *a, const char *b) noexcept {
    for (; *a != '\0' && *b != '\0'; ++a, ++b) {
        const char ca = (*a >= 'A' && *a <= 'Z') ? static_cast<char>(*a - 'A' + 'a') : *a;
        if (ca != *b) return false;
    }
    return *a == *b;
}

}  // namespace

bool parse_merge_mode(const char *name, MergeMode &out) noexcept {
    if (name == nullptr) return false;
    for (const ModeName &m : kModes) {
        if (equals_ignore_case(name, m.name)) {
            out = m.mode;
            return true;
        }
    }
    return false;
}

const char *merge_mode_name(MergeMode m) noexcept {
    for (const ModeName &n : kModes) {
        if (n.mode == m) return n.name;
    }
    return "unknown";
}

}  // namespace mrast
