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

#include <cstddef>
#include <vector>

#include "mrast/geometry.hpp"

namespace mrast {

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
    std::vector<double> &x() { return m_x; }
    std::vector<double> &y() { return m_y; }
    std::vector<double> &z() { return m_z; }

    std::size_t feature_count() const { return m_feature_parts.size() - 1; }
    std::size_t vertex_count() const { return m_x.size(); }
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
    int m_band_count;
    std::vector<std::size_t> m_feature_parts{0};
    std::vector<PartKind> m_part_kind;
    std::vector<std::size_t> m_part_rings{0};
    std::vector<std::size_t> m_ring_vertices{0};
    std::vector<double> m_x, m_y, m_z, m_burn;
};

}  // namespace mrast
