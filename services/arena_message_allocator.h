// The arena an append request is parsed onto (services/raw_messages.h parses it there): a
// 1000-event AppendRequest is parsed without a malloc per field and freed in a few blocks
// instead of thousands of strings.
#ifndef GRANTLEDGER_SERVICES_ARENA_MESSAGE_ALLOCATOR_H_
#define GRANTLEDGER_SERVICES_ARENA_MESSAGE_ALLOCATOR_H_

#include "google/protobuf/arena.h"

namespace grantledger {

// The arena a request is parsed onto: a batch's events in a few blocks.
inline google::protobuf::ArenaOptions RequestArenaOptions() {
  google::protobuf::ArenaOptions options;
  options.start_block_size = 4 << 10;
  options.max_block_size = 1 << 20;
  return options;
}

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_ARENA_MESSAGE_ALLOCATOR_H_
