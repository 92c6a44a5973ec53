#pragma once
// The owned flat arrays behind a GeometryBatch, and the few steps every
// producer of them takes (the plugin's OGR reader, test scenes, benchmarks):
// begin a part, add vertices, end a ring, end a feature with its burn
// values. One place knows how the offsets chain.
//
//   mrast::GeometryArrays g(1);
//   g.begin_part(mrast::PartKind::Polygon);
//   g.add_vertex(0, 0); g.add_vertex(4, 0); g.add_vertex(4, 4); g.end_ring();
//   const double burn = 1.0; g.end_feature(&burn);
//   burner.burn(g.view());
//
// Producers that know their sizes up front (the plugin's bulk OGR reader)
// call grow() once and write the new entries in place, possibly from several
// threads on disjoint ranges, instead of one push_back per value.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "mrast/geometry.hpp"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace mrast {

/// Fresh arrays of many megabytes are placed on 2 MiB boundaries and
/// faulted in 2 MiB at a time where the system allows it (Linux transparent
/// huge pages in "madvise" mode): 48 MiB of 4 KiB pages cost 17 ms of page
/// faults on the development VM, of 2 MiB pages 2.2 ms. The alignment wastes
/// only address space.
struct HugePages {
    static constexpr std::size_t kSize = std::size_t{2} << 20;
    /// Smaller arrays go the usual way (malloc may reuse warm memory).
    static constexpr std::size_t kFrom = 2 * kSize;

    static void *allocate(std::size_t bytes) {
        void *p = ::operator new(bytes, std::align_val_t{kSize});
#if defined(__linux__) && defined(MADV_HUGEPAGE)
        // Advice only: refused (no THP) it changes nothing.
        madvise(p, bytes & ~std::size_t{4095}, MADV_HUGEPAGE);
#endif
        return p;
    }
    static void deallocate(void *p) noexcept { ::operator delete(p, std::align_val_t{kSize}); }
};

/// std::allocator whose construct() without a value default-initialises:
/// resize() of doubles and offsets then leaves the new memory untouched, so
/// the threads of a bulk producer write (and fault in) each page once, in
/// parallel, instead of the resizing thread zeroing all of it first (fresh
/// pages cost more than the writes: 20 ms for 56 MB on one core of the
/// 2-core development VM). Values passed to push_back() etc. are
/// constructed as usual.
template <class T> struct DefaultInitAllocator : std::allocator<T> {
    template <class U> struct rebind {
        using other = DefaultInitAllocator<U>;
    };
    DefaultInitAllocator() = default;
    template <class U> DefaultInitAllocator(const DefaultInitAllocator<U> &) noexcept {}

    T *allocate(std::size_t n) {
        if (n > HugePages::kFrom / sizeof(T)) return static_cast<T *>(HugePages::allocate(n * sizeof(T)));
        return std::allocator<T>::allocate(n);
    }
    void deallocate(T *p, std::size_t n) noexcept {
        if (n > HugePages::kFrom / sizeof(T)) {
            HugePages::deallocate(p);
        } else {
            std::allocator<T>::deallocate(p, n);
        }
    }

    template <class U>
    void construct(U *p) noexcept(std::is_nothrow_default_constructible<U>::value) {
        ::new (static_cast<void *>(p)) U;
    }
    template <class U, class... Args> void construct(U *p, Args &&...args) {
        ::new (static_cast<void *>(p)) U(std::forward<Args>(args)...);
    }
};

/// The vectors GeometryArrays holds.
template <class T> using ArrayVector = std::vector<T, DefaultInitAllocator<T>>;

/// Numbers of features, parts, rings and vertices: the size of an append, or
/// where one starts.
struct GeometryCounts {
    std::size_t features = 0, parts = 0, rings = 0, vertices = 0;

    GeometryCounts &operator+=(const GeometryCounts &o) {
        features += o.features;
        parts += o.parts;
        rings += o.rings;
        vertices += o.vertices;
        return *this;
    }
};

/// The entries GeometryArrays::grow() added, to be written in place. Every
/// "end" is an absolute offset (the "begin" of the next entry, as in
/// GeometryBatch): a part that ends after ring r stores r + 1.
struct GeometrySlots {
    GeometryCounts first;            ///< absolute index of the first new entry of each kind
    std::size_t *feature_part_ends;  ///< one per new feature
    PartKind *part_kind;             ///< one per new part
    std::size_t *part_ring_ends;     ///< one per new part
    std::size_t *ring_vertex_ends;   ///< one per new ring
    double *x, *y;                   ///< one per new vertex
    double *z;                       ///< one per new vertex, or null without Z
    double *burn;                    ///< band_count per new feature
    int band_count;

    /// The slots after skipping `by` entries of each kind (the part of an
    /// append another writer fills).
    GeometrySlots advanced(const GeometryCounts &by) const {
        GeometrySlots s = *this;
        s.first += by;
        s.feature_part_ends += by.features;
        s.part_kind += by.parts;
        s.part_ring_ends += by.parts;
        s.ring_vertex_ends += by.rings;
        s.x += by.vertices;
        s.y += by.vertices;
        if (s.z != nullptr) s.z += by.vertices;
        s.burn += by.features * static_cast<std::size_t>(band_count);
        return s;
    }
};

class GeometryArrays {
  public:
    explicit GeometryArrays(int band_count = 1) : m_band_count(band_count) {}

    /// Starts a part of the current feature.
    void begin_part(PartKind kind) {
        m_part_kind.push_back(kind);
        m_part_rings.push_back(m_part_rings.back());
    }
    void add_vertex(double x, double y) {
        m_x.push_back(x);
        m_y.push_back(y);
    }
    void add_vertex(double x, double y, double z) {
        add_vertex(x, y);
        m_z.push_back(z);
    }
    /// Appends n vertices (and their Z when with_z) left to be written
    /// through x(), y(), z(); returns the index of the first.
    std::size_t add_vertices(std::size_t n, bool with_z) {
        make_room(m_x, n);
        make_room(m_y, n);
        if (with_z) make_room(m_z, n);
        const std::size_t first = m_x.size();
        grow_by(m_x, n);
        grow_by(m_y, n);
        if (with_z) grow_by(m_z, n);
        return first;
    }
    /// Closes the ring made of the vertices added since the last one.
    void end_ring() {
        m_ring_vertices.push_back(m_x.size());
        ++m_part_rings.back();
    }
    /// Closes the feature made of the parts begun since the last one;
    /// `burn` holds band_count values. A feature without parts is valid
    /// (an empty geometry): it keeps its place and burns nothing.
    void end_feature(const double *burn) {
        m_feature_parts.push_back(m_part_kind.size());
        m_burn.insert(m_burn.end(), burn, burn + m_band_count);
    }

    /// Direct access for producers that fill vertices in bulk (then call
    /// end_ring()); x and y (and z, when used) must keep the same length.
    ArrayVector<double> &x() { return m_x; }
    ArrayVector<double> &y() { return m_y; }
    ArrayVector<double> &z() { return m_z; }

    /// Appends `add` entries of each kind (and Z per vertex when `with_z`)
    /// and returns where to write them; every new entry must be written
    /// before the arrays are read. The pointers stay valid until the arrays
    /// change again, so disjoint ranges may be written concurrently.
    GeometrySlots grow(const GeometryCounts &add, bool with_z) {
        const std::size_t burn_add = add.features * static_cast<std::size_t>(m_band_count);
        // Room first, so that a failed allocation changes no size: the
        // arrays never hold half an append.
        make_room(m_feature_parts, add.features);
        make_room(m_part_kind, add.parts);
        make_room(m_part_rings, add.parts);
        make_room(m_ring_vertices, add.rings);
        make_room(m_x, add.vertices);
        make_room(m_y, add.vertices);
        if (with_z) make_room(m_z, add.vertices);
        make_room(m_burn, burn_add);
        GeometrySlots s;
        s.first = counts();
        s.band_count = m_band_count;
        s.feature_part_ends = grow_by(m_feature_parts, add.features);
        s.part_kind = grow_by(m_part_kind, add.parts);
        s.part_ring_ends = grow_by(m_part_rings, add.parts);
        s.ring_vertex_ends = grow_by(m_ring_vertices, add.rings);
        s.x = grow_by(m_x, add.vertices);
        s.y = grow_by(m_y, add.vertices);
        s.z = with_z ? grow_by(m_z, add.vertices) : nullptr;
        s.burn = grow_by(m_burn, burn_add);
        return s;
    }

    std::size_t feature_count() const { return m_feature_parts.size() - 1; }
    std::size_t vertex_count() const { return m_x.size(); }
    /// Features, parts, rings and vertices held.
    GeometryCounts counts() const {
        GeometryCounts c;
        c.features = feature_count();
        c.parts = m_part_kind.size();
        c.rings = m_ring_vertices.size() - 1;
        c.vertices = m_x.size();
        return c;
    }
    int band_count() const { return m_band_count; }

    /// The batch over these arrays (valid until they change). Z is passed
    /// when asked for and present.
    GeometryBatch view(bool with_z = true) const {
        GeometryBatch b;
        b.feature_count = feature_count();
        b.feature_part_offsets = m_feature_parts.data();
        b.part_kind = m_part_kind.data();
        b.part_ring_offsets = m_part_rings.data();
        b.ring_vertex_offsets = m_ring_vertices.data();
        b.x = m_x.data();
        b.y = m_y.data();
        b.z = with_z && !m_z.empty() ? m_z.data() : nullptr;
        b.burn = m_burn.data();
        b.band_count = m_band_count;
        return b;
    }

    /// Heap bytes held (for batching decisions).
    std::size_t memory_bytes() const {
        return (m_feature_parts.size() + m_part_rings.size() + m_ring_vertices.size()) *
                   sizeof(std::size_t) +
               m_part_kind.size() * sizeof(PartKind) +
               (m_x.size() + m_y.size() + m_z.size() + m_burn.size()) * sizeof(double);
    }

    /// The length of every array: what rollback() returns to.
    struct Sizes {
        std::size_t feature_parts, part_kind, part_rings, ring_vertices, x, y, z, burn;
    };
    Sizes sizes() const noexcept {
        return Sizes{m_feature_parts.size(), m_part_kind.size(), m_part_rings.size(), m_ring_vertices.size(),
                     m_x.size(), m_y.size(), m_z.size(), m_burn.size()};
    }
    /// Drops whatever was appended since `s` was taken (a speculative
    /// grow() that did not work out); capacity is kept.
    void rollback(const Sizes &s) {
        m_feature_parts.resize(s.feature_parts);
        m_part_kind.resize(s.part_kind);
        m_part_rings.resize(s.part_rings);
        m_ring_vertices.resize(s.ring_vertices);
        m_x.resize(s.x);
        m_y.resize(s.y);
        m_z.resize(s.z);
        m_burn.resize(s.burn);
    }

    void clear() {
        m_feature_parts.assign(1, 0);
        m_part_kind.clear();
        m_part_rings.assign(1, 0);
        m_ring_vertices.assign(1, 0);
        m_x.clear();
        m_y.clear();
        m_z.clear();
        m_burn.clear();
    }

  private:
    /// Geometric growth, as push_back's, so that appending one feature at a
    /// time stays amortised O(1).
    template <class T> static void make_room(ArrayVector<T> &v, std::size_t n) {
        const std::size_t need = v.size() + n;
        if (need > v.capacity()) v.reserve(std::max(need, 2 * v.capacity()));
    }
    /// Cannot throw after make_room(). A few entries (one feature at a time)
    /// go through emplace_back(), inline, where resize() is an out-of-line
    /// call per array, measurably slower for 1M points added one by one.
    template <class T> static T *grow_by(ArrayVector<T> &v, std::size_t n) {
        const std::size_t old = v.size();
        if (n <= 8) {
            for (std::size_t i = 0; i < n; ++i) v.emplace_back();
        } else {
            v.resize(old + n);
        }
        return v.data() + old;
    }

    int m_band_count;
    ArrayVector<std::size_t> m_feature_parts{0};
    ArrayVector<PartKind> m_part_kind;
    ArrayVector<std::size_t> m_part_rings{0};
    ArrayVector<std::size_t> m_ring_vertices{0};
    ArrayVector<double> m_x, m_y, m_z, m_burn;
};

}  // namespace mrast
