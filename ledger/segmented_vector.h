// An append-only sequence stored in fixed-size segments: push_back never moves what is already
// stored (a plain vector copies everything each time it grows, which for a history of
// millions of events costs more than the appends themselves), and iteration is as cheap as a
// vector's within each segment.
#ifndef GRANTLEDGER_LEDGER_SEGMENTED_VECTOR_H_
#define GRANTLEDGER_LEDGER_SEGMENTED_VECTOR_H_

#include <cstddef>
#include <iterator>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
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

  SegmentedVector() = default;
  SegmentedVector(SegmentedVector&& other) noexcept
      : segments_(std::move(other.segments_)), size_(std::exchange(other.size_, 0)) {}
  SegmentedVector& operator=(SegmentedVector&& other) noexcept {
    if (this != &other) {
      clear();
      segments_ = std::move(other.segments_);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  SegmentedVector(const SegmentedVector&) = delete;
  SegmentedVector& operator=(const SegmentedVector&) = delete;
  ~SegmentedVector() { clear(); }

  void push_back(const T& value) {
    if (size_ % kSegment == 0) {
      segments_.emplace_back(static_cast<T*>(::operator new(sizeof(T) * kSegment)));
    }
    new (segments_.back().get() + size_ % kSegment) T(value);
    ++size_;
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](size_t i) const { return segments_[i / kSegment].get()[i % kSegment]; }
  const T& back() const { return (*this)[size_ - 1]; }
  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, size_); }
  void clear() {
    if constexpr (!std::is_trivially_destructible_v<T>) {
      for (size_t i = 0; i < size_; ++i) segments_[i / kSegment].get()[i % kSegment].~T();
    }
    segments_.clear();
    size_ = 0;
  }

 private:
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
  struct Free {
    void operator()(T* segment) const { ::operator delete(segment); }
  };
  // Raw storage: elements are constructed as they are appended, so a segment's memory is
  // touched (and becomes resident) only as far as it is used. A grant with a few events costs
  // a few pages, not a whole segment, and no append touches a whole segment at once.
  std::vector<std::unique_ptr<T, Free>> segments_;
  size_t size_ = 0;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_SEGMENTED_VECTOR_H_
