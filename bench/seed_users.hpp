#pragma once
// Shared by the benchmarks: a directory of `users` plain users, user0 .. userN-1, each with its
// own seeded password.

#include <wblab/fixture/directory.hpp>

#include <string>

namespace wblab::bench {

inline fixture::DirectorySeed seedWithUsers(int users) {
    fixture::DirectorySeed seed;
    seed.users.reserve(static_cast<std::size_t>(users));
    for (int i = 0; i < users; ++i) {
        auto n = std::to_string(i);
        fixture::DirectoryUser u;
        u.samAccountName = "user" + n;
        u.upn = "user" + n + "@testlab.example";
        u.password = "Seed-Passw0rd-" + n;
        seed.users.push_back(std::move(u));
    }
    return seed;
}

}  // namespace wblab::bench
