// A minimal std::expected for the clang fuzzing build only (scripts/fuzz-om.sh force-includes it).
// libstdc++ 12's <expected> needs C++20's conditionally trivial special members (P0848), which
// clang implements from version 16; Debian 12's clang 14 therefore sees no std::expected at all.
// This header supplies the subset GearStudio's core uses, and does nothing on compilers that have
// the real one. It is never part of a normal build.
#pragma once

#include <version>

#if defined(__clang__) && !defined(__cpp_lib_expected) && __cplusplus > 202002L

#define _GLIBCXX_EXPECTED 1 // keep libstdc++'s <expected> (empty under clang 14) out

#include <exception>
#include <new>
#include <type_traits>
#include <utility>

namespace std {

template <class E> class unexpected {
public:
  template <class G = E>
  requires(!is_same_v<remove_cvref_t<G>, unexpected> && is_constructible_v<E, G>) constexpr explicit unexpected(G&& e)
      : m_e(std::forward<G>(e)) {}
  constexpr E& error() & noexcept { return m_e; }
  constexpr const E& error() const& noexcept { return m_e; }
  constexpr E&& error() && noexcept { return std::move(m_e); }

private:
  E m_e;
};
template <class E> unexpected(E) -> unexpected<E>;

template <class E> class bad_expected_access : public exception {
public:
  explicit bad_expected_access(E e) : m_e(std::move(e)) {}
  const char* what() const noexcept override { return "bad expected access"; }
  const E& error() const& noexcept { return m_e; }

private:
  E m_e;
};

namespace gs_compat {
template <class T> struct IsUnexpected : false_type {};
template <class E> struct IsUnexpected<unexpected<E>> : true_type {};
} // namespace gs_compat

template <class T, class E> class expected {
public:
  using value_type = T;
  using error_type = E;
  using unexpected_type = unexpected<E>;

  expected() requires is_default_constructible_v<T> : m_has(true) { ::new (&m_val) T(); }
  expected(const expected& o) : m_has(o.m_has) { copyFrom(o); }
  expected(expected&& o) noexcept(is_nothrow_move_constructible_v<T>&& is_nothrow_move_constructible_v<E>)
      : m_has(o.m_has) {
    moveFrom(std::move(o));
  }
  template <class U = T>
  requires(!is_same_v<remove_cvref_t<U>, expected> && !gs_compat::IsUnexpected<remove_cvref_t<U>>::value &&
           is_constructible_v<T, U>) expected(U&& v)
      : m_has(true) {
    ::new (&m_val) T(std::forward<U>(v));
  }
  template <class G>
  requires is_constructible_v<E, const G&> expected(const unexpected<G>& u) : m_has(false) {
    ::new (&m_err) E(u.error());
  }
  template <class G>
  requires is_constructible_v<E, G> expected(unexpected<G>&& u) : m_has(false) {
    ::new (&m_err) E(std::move(u).error());
  }
  ~expected() { destroy(); }

  expected& operator=(const expected& o) {
    if (this != &o) {
      destroy();
      m_has = o.m_has;
      copyFrom(o);
    }
    return *this;
  }
  expected& operator=(expected&& o) noexcept(is_nothrow_move_constructible_v<T>&& is_nothrow_move_constructible_v<E>) {
    if (this != &o) {
      destroy();
      m_has = o.m_has;
      moveFrom(std::move(o));
    }
    return *this;
  }
  template <class U = T>
  requires(!is_same_v<remove_cvref_t<U>, expected> && !gs_compat::IsUnexpected<remove_cvref_t<U>>::value &&
           is_constructible_v<T, U>) expected&
  operator=(U&& v) {
    destroy();
    m_has = true;
    ::new (&m_val) T(std::forward<U>(v));
    return *this;
  }
  template <class G> expected& operator=(unexpected<G>&& u) {
    destroy();
    m_has = false;
    ::new (&m_err) E(std::move(u).error());
    return *this;
  }
  template <class G> expected& operator=(const unexpected<G>& u) {
    destroy();
    m_has = false;
    ::new (&m_err) E(u.error());
    return *this;
  }

  bool has_value() const noexcept { return m_has; }
  explicit operator bool() const noexcept { return m_has; }
  T& operator*() & noexcept { return m_val; }
  const T& operator*() const& noexcept { return m_val; }
  T&& operator*() && noexcept { return std::move(m_val); }
  T* operator->() noexcept { return &m_val; }
  const T* operator->() const noexcept { return &m_val; }
  T& value() & {
    if (!m_has) throw bad_expected_access<E>(m_err);
    return m_val;
  }
  const T& value() const& {
    if (!m_has) throw bad_expected_access<E>(m_err);
    return m_val;
  }
  T&& value() && {
    if (!m_has) throw bad_expected_access<E>(m_err);
    return std::move(m_val);
  }
  template <class U> T value_or(U&& d) const& { return m_has ? m_val : static_cast<T>(std::forward<U>(d)); }
  E& error() & noexcept { return m_err; }
  const E& error() const& noexcept { return m_err; }
  E&& error() && noexcept { return std::move(m_err); }

private:
  void destroy() {
    if (m_has)
      m_val.~T();
    else
      m_err.~E();
  }
  void copyFrom(const expected& o) {
    if (m_has)
      ::new (&m_val) T(o.m_val);
    else
      ::new (&m_err) E(o.m_err);
  }
  void moveFrom(expected&& o) {
    if (m_has)
      ::new (&m_val) T(std::move(o.m_val));
    else
      ::new (&m_err) E(std::move(o.m_err));
  }
  union {
    T m_val;
    E m_err;
  };
  bool m_has;
};

template <class E> class expected<void, E> {
public:
  using value_type = void;
  using error_type = E;
  using unexpected_type = unexpected<E>;

  expected() noexcept : m_has(true) {}
  expected(const expected& o) : m_has(o.m_has) {
    if (!m_has) ::new (&m_err) E(o.m_err);
  }
  expected(expected&& o) noexcept(is_nothrow_move_constructible_v<E>) : m_has(o.m_has) {
    if (!m_has) ::new (&m_err) E(std::move(o.m_err));
  }
  template <class G>
  requires is_constructible_v<E, const G&> expected(const unexpected<G>& u) : m_has(false) {
    ::new (&m_err) E(u.error());
  }
  template <class G>
  requires is_constructible_v<E, G> expected(unexpected<G>&& u) : m_has(false) {
    ::new (&m_err) E(std::move(u).error());
  }
  ~expected() { destroy(); }
  expected& operator=(const expected& o) {
    if (this != &o) {
      destroy();
      m_has = o.m_has;
      if (!m_has) ::new (&m_err) E(o.m_err);
    }
    return *this;
  }
  expected& operator=(expected&& o) noexcept(is_nothrow_move_constructible_v<E>) {
    if (this != &o) {
      destroy();
      m_has = o.m_has;
      if (!m_has) ::new (&m_err) E(std::move(o.m_err));
    }
    return *this;
  }
  template <class G> expected& operator=(unexpected<G>&& u) {
    destroy();
    m_has = false;
    ::new (&m_err) E(std::move(u).error());
    return *this;
  }

  bool has_value() const noexcept { return m_has; }
  explicit operator bool() const noexcept { return m_has; }
  void operator*() const noexcept {}
  void value() const {
    if (!m_has) throw bad_expected_access<E>(m_err);
  }
  E& error() & noexcept { return m_err; }
  const E& error() const& noexcept { return m_err; }
  E&& error() && noexcept { return std::move(m_err); }

private:
  void destroy() {
    if (!m_has) m_err.~E();
  }
  union {
    E m_err;
  };
  bool m_has;
};

} // namespace std

#endif
