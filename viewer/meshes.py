"""Triangle meshes (positions and normals, numpy) for the collision shapes PyBullet reports."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from characters.env import pb


@dataclass(frozen=True)
class Mesh:
    """Non-indexed triangles: positions [3N,3], normals [3N,3] float32."""

    positions: np.ndarray
    normals: np.ndarray


def _sphere_grid(radius: float, rings: int, segments: int, half_length: float = 0.0) -> Mesh:
    """A UV sphere along z; with half_length > 0 its halves move apart into a capsule."""
    theta = np.linspace(0.0, np.pi, rings + 1)  # from +z to -z; an odd ring count leaves no ring on the equator
    phi = np.linspace(0.0, 2 * np.pi, segments + 1)
    t, p = np.meshgrid(theta, phi, indexing="ij")
    n = np.stack([np.sin(t) * np.cos(p), np.sin(t) * np.sin(p), np.cos(t)], axis=-1)
    v = radius * n
    v[..., 2] += np.where(n[..., 2] >= 0.0, half_length, -half_length)
    tris_v, tris_n = [], []
    for i in range(rings):
        for j in range(segments):
            a, b, c, d = (i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)
            for tri in ((a, b, c), (a, c, d)):
                tris_v.extend(v[k] for k in tri)
                tris_n.extend(n[k] for k in tri)
    return Mesh(np.array(tris_v, np.float32), np.array(tris_n, np.float32))


def sphere(radius: float) -> Mesh:
    return _sphere_grid(radius, 9, 16)


def capsule(length: float, radius: float) -> Mesh:
    """Capsule along z: a cylinder of `length` between two hemispheres."""
    return _sphere_grid(radius, 11, 16, 0.5 * length)


def box(half: np.ndarray) -> Mesh:
    pos, nor = [], []
    for axis in range(3):
        for sign in (-1.0, 1.0):
            normal = np.zeros(3)
            normal[axis] = sign
            u, w = [k for k in range(3) if k != axis]
            corners = []
            for cu, cw in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
                c = np.zeros(3)
                c[axis], c[u], c[w] = sign, cu, cw
                corners.append(c * half)
            for tri in ((0, 1, 2), (0, 2, 3)):
                pos.extend(corners[k] for k in tri)
                nor.extend([normal] * 3)
    return Mesh(np.array(pos, np.float32), np.array(nor, np.float32))


def convex_hull(points: np.ndarray) -> Mesh:
    """The convex hull of points [P,3] as a mesh with flat normals pointing out (a mesh collision shape drawn
    as PyBullet collides with it: the Laikago's legs and chassis)."""
    from scipy.spatial import ConvexHull

    hull = ConvexHull(points)
    tris = points[hull.simplices]  # [T,3,3]
    normals = hull.equations[:, :3]  # outward unit normals, one per facet
    # order each triangle's corners counter-clockwise seen from outside
    flip = np.einsum("ti,ti->t", np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0]), normals) < 0
    tris[flip] = tris[flip][:, ::-1]
    return Mesh(tris.reshape(-1, 3).astype(np.float32), np.repeat(normals, 3, axis=0).astype(np.float32))


@dataclass(frozen=True)
class LinkShape:
    """One collision shape of a link: its mesh and its pose in the link's inertial frame."""

    link: int
    mesh: Mesh
    local_pos: np.ndarray
    local_quat: np.ndarray


def body_shapes(body: int, client: int, num_links: int) -> list[LinkShape]:
    """Meshes for every sphere, capsule, box and mesh collision shape of a multibody (a mesh as its convex hull)."""
    shapes = []
    for link in range(-1, num_links):
        for data in pb.getCollisionShapeData(body, link, physicsClientId=client):
            kind, dims, pos, orn = data[2], data[3], data[5], data[6]
            if kind == pb.GEOM_MESH:  # PyBullet gives its vertices in the link's inertial frame already
                count, vertices = pb.getMeshData(body, link, physicsClientId=client)
                if count < 4:
                    continue
                mesh = convex_hull(np.array(vertices, dtype=float))
                pos, orn = (0.0, 0.0, 0.0), (0.0, 0.0, 0.0, 1.0)
            elif kind == pb.GEOM_SPHERE:
                mesh = sphere(dims[0])
            elif kind == pb.GEOM_CAPSULE:
                mesh = capsule(dims[0], dims[1])
            elif kind == pb.GEOM_BOX:
                mesh = box(0.5 * np.array(dims))
            else:
                continue
            shapes.append(LinkShape(link, mesh, np.array(pos), np.array(orn)))
    return shapes
