// core::LeaseSlots: max_active_leases counts stored leases and issuances in
// flight, and a slot comes back when its holder goes, however it goes.
#include "core/lease_slots.h"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace dyncreds;

namespace {

Role Capped(int max) {
  Role r;
  r.name = "deploy";
  r.max_active_leases = max;
  return r;
}

}  // namespace

TEST_CASE("slots: stored leases and slots held count against the cap; a slot returns when its holder goes") {
  std::size_t stored = 1;
  core::LeaseSlots slots([&](const std::string&) { return Result<std::size_t>(stored); });
  {
    Result<core::LeaseSlots::Slot> first = slots.Reserve(Capped(2));
    REQUIRE(first.ok());
    Result<core::LeaseSlots::Slot> second = slots.Reserve(Capped(2));
    CHECK(second.status().code() == ErrorCode::kConflict);
    CHECK(second.status().message().find("already has 2 active leases") != std::string::npos);
  }
  CHECK(slots.Reserve(Capped(2)).ok());  // the first slot came back
  // Given back by an exception too.
  try {
    Result<core::LeaseSlots::Slot> held = slots.Reserve(Capped(2));
    REQUIRE(held.ok());
    throw std::runtime_error("issuance failed");
  } catch (const std::runtime_error&) {
  }
  CHECK(slots.Reserve(Capped(2)).ok());
  // No cap: any number at once.
  stored = 100;
  std::vector<core::LeaseSlots::Slot> many;
  for (int i = 0; i < 10; ++i) many.push_back(std::move(slots.Reserve(Capped(0)).value()));
  CHECK(slots.Reserve(Capped(0)).ok());
}

TEST_CASE("slots: a store error is reported, and holds no slot") {
  bool fail = true;
  core::LeaseSlots slots([&](const std::string&) {
    return fail ? Result<std::size_t>(Status::Store("locked")) : Result<std::size_t>(std::size_t{0});
  });
  CHECK(slots.Reserve(Capped(1)).status().code() == ErrorCode::kStore);
  fail = false;
  CHECK(slots.Reserve(Capped(1)).ok());
}
