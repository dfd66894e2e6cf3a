// An append-only sequence stored in fixed-size segments: push_back never moves what is already
// stored (a plain vector copies everything each time it grows, which for a history of
// millions of events costs more than the appends themselves), and iteration is as cheap as a
// vector's within each segment.
#ifndef GRANTLEDGER_LEDGER_SEGMENTED_VECTOR_H_
#define GRANTLEDGER_LEDGER_SEGMENTED_VECTOR_H_

#include <cstddef>
#include <iterator>
#include <memory>
#include <vector>

namespace grantledger {

template <typename T, size_t kSegment = 4096>
class SegmentedVector {
 public:
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;

    const_iterator() = default;
    const_iterator(const SegmentedVector* owner, size_t index) : owner_(owner), index_(index) {}
    reference operator*() const { return (*owner_)[index_]; }
    pointer operator->() const { return &(*owner_)[index_]; }
    const_iterator& operator++() {
      ++index_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator before = *this;
      ++index_;
      return before;
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) {
      return a.index_ == b.index_;
    }
    friend bool operator!=(const const_iterator& a, const const_iterator& b) { return !(a == b); }

   private:
    const SegmentedVector* owner_ = nullptr;
    size_t index_ = 0;
  };

  void push_back(const T& value) {
    if (size_ % kSegment == 0) {
      segments_.push_back(std::make_unique<T[]>(kSegment));
    }
    segments_.back()[size_ % kSegment] = value;
    ++size_;
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](size_t i) const { return segments_[i / kSegment][i % kSegment]; }
  const T& back() const { return (*this)[size_ - 1]; }
  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, size_); }

 private:
  std::vector<std::unique_ptr<T[]>> segments_;
  size_t size_ = 0;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_SEGMENTED_VECTOR_H_
