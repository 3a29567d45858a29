"""Draw the synthetic skeleton as a solid, lit figure through a perspective camera (OpenCV only).

The figure is a handful of low-poly "lathe" meshes (rings of points around an axis): tapered
limb capsules, a torso of elliptical cross-sections, an ellipsoid head with hair, nose and ears,
shoes with heel, sole and toe cap. Every quad gets Lambert shading from a light above the camera
and is painted far-to-near (painter's algorithm with back-face culling), so overlaps and surface
orientation look right from any viewing angle -- the cues a pose model uses to tell the near leg
from the far one. Frames are drawn at 2x and area-downsampled, which anti-aliases without seams.

Pixel convention (also the ground truth's): continuous coordinates in which pixel i spans
[i, i + 1), i.e. MediaPipe's normalised x times the image width.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from formcheck.synth.kinematics import SIDES, BodyProportions, Pose, Side, side_sign

BGR = tuple[int, int, int]
_SHIFT = 4                       # sub-pixel bits for OpenCV polygon drawing
_ONE = 1 << _SHIFT
_SIDES_N = 16                    # quads around every lathe ring
_COS = np.cos(np.linspace(0, 2 * np.pi, _SIDES_N, endpoint=False))
_SIN = np.sin(np.linspace(0, 2 * np.pi, _SIDES_N, endpoint=False))
_CAP = np.radians([-90.0, -60.0, -30.0, 0.0])   # hemispherical capsule ends


# ---------------------------------------------------------------------------------------------
# Camera
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CameraSpec:
    """Where the camera stands relative to the person (who faces +x with their left at +y).

    ``yaw_deg`` is the camera's azimuth measured from the person's front toward their right:
    0 = front view, +90 = on their right (they face image-right), -90 = on their left (they face
    image-left). ``focal_px=None`` picks the focal length that fits the whole motion in ``fill`` of
    the frame, so any resolution or aspect ratio frames the figure sensibly.
    """

    height_m: float = 1.0          # lens height: a phone on a tripod or a shelf
    distance_m: float = 4.0        # horizontal distance to the centre of the motion
    yaw_deg: float = 90.0
    focal_px: float | None = None
    fill: float = 0.84             # fraction of the frame the motion's extent may use
    roll_deg: float = 0.0          # a slightly tilted phone


@dataclass(frozen=True)
class Camera:
    """Pinhole camera: rows of ``rotation`` are the image right, down and viewing axes in world."""

    position: np.ndarray
    rotation: np.ndarray
    focal_px: float
    size: tuple[int, int]

    @classmethod
    def look_at(cls, position: np.ndarray, target: np.ndarray, focal_px: float, size: tuple[int, int],
                roll_deg: float = 0.0) -> Camera:
        fwd = np.asarray(target, float) - np.asarray(position, float)
        fwd /= np.linalg.norm(fwd)
        right = np.cross(fwd, [0.0, 0.0, 1.0])
        right /= np.linalg.norm(right)
        down = np.cross(fwd, right)
        c, s = np.cos(np.radians(roll_deg)), np.sin(np.radians(roll_deg))
        right, down = c * right + s * down, -s * right + c * down
        return cls(np.asarray(position, float), np.stack([right, down, fwd]), float(focal_px), size)

    @property
    def intrinsics(self) -> np.ndarray:
        w, h = self.size
        return np.array([[self.focal_px, 0.0, w / 2], [0.0, self.focal_px, h / 2], [0.0, 0.0, 1.0]])

    def scaled(self, k: int) -> Camera:
        """The same view rendered k times larger (for supersampling)."""
        return Camera(self.position, self.rotation, self.focal_px * k, (self.size[0] * k, self.size[1] * k))

    def to_camera(self, pts: np.ndarray) -> np.ndarray:
        return (np.asarray(pts, float) - self.position) @ self.rotation.T

    def project(self, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixel coordinates (..., 2) and depth (...) of world points (..., 3)."""
        c = self.to_camera(pts)
        z = np.maximum(c[..., 2], 1e-6)
        w, h = self.size
        uv = np.stack([c[..., 0] / z * self.focal_px + w / 2, c[..., 1] / z * self.focal_px + h / 2], axis=-1)
        return uv, c[..., 2]

    def view_dir(self, p: np.ndarray) -> np.ndarray:
        """Unit vector(s) from the camera to world point(s)."""
        d = np.asarray(p, float) - self.position
        return d / np.linalg.norm(d, axis=-1, keepdims=True)


def place_camera(spec: CameraSpec, points: np.ndarray, size: tuple[int, int]) -> Camera:
    """Aim at the centre of everything the figure does and fit it in the frame.

    ``points``: (..., 3) world points covering the whole clip (joints plus head top and toes).
    """
    pts = np.asarray(points, float).reshape(-1, 3)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    target = (lo + hi) / 2
    yaw = np.radians(spec.yaw_deg)
    pos = np.array([target[0] + spec.distance_m * np.cos(yaw), target[1] - spec.distance_m * np.sin(yaw),
                    spec.height_m])
    focal = spec.focal_px
    if focal is None:
        probe = Camera.look_at(pos, target, 1.0, (0, 0), spec.roll_deg)
        uv, _ = probe.project(pts)
        w, h = size
        focal = spec.fill * min(w / 2 / np.abs(uv[:, 0]).max(), h / 2 / np.abs(uv[:, 1]).max())
    return Camera.look_at(pos, target, focal, size, spec.roll_deg)


# ---------------------------------------------------------------------------------------------
# Looks
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Appearance:
    """Colours (BGR) and build of the figure; a benchmark draws these from seeds."""

    skin: BGR = (125, 160, 205)
    hair: BGR = (35, 45, 60)
    shirt: BGR = (50, 105, 215)
    shorts: BGR = (140, 100, 62)   # trousers when long_pants
    shoes: BGR = (235, 235, 235)
    soles: BGR = (70, 70, 70)
    eyes: BGR = (245, 245, 245)
    iris: BGR = (60, 40, 30)
    lips: BGR = (95, 95, 165)
    socks: BGR | None = None              # band above the shoe on bare legs (white socks moved the
                                          # model's ankle up toward the sock top, so none by default)
    sock_height: float = 0.16             # fraction of the shin covered by the sock
    long_pants: bool = False       # trousers to the ankle; shorts (default) let the model see the knees
    long_sleeves: bool = False     # else short sleeves to mid upper arm
    girth: float = 1.0             # multiplies every limb and torso radius (slim < 1 < heavy)
    far_side_shade: float = 0.80   # colour factor of limbs on the far side of the body (ambient occlusion)
    light: tuple[float, float, float] = (-0.45, 0.55, 0.75)  # toward the light: camera right, toward, up
    ambient: float = 0.38
    diffuse: float = 0.50          # key light
    fill: float = 0.35             # light from the camera: surfaces facing the lens are brighter


@dataclass(frozen=True)
class FigureShape:
    """Radii as fractions of height, from typical adult girths (mid-thigh ~0.30 H circumference,
    calf ~0.21 H, upper arm ~0.17 H, forearm ~0.15 H; ANSUR II medians, r = C / 2 pi)."""

    thigh_top: float = 0.046
    knee: float = 0.029
    ankle: float = 0.019
    upper_arm: float = 0.027
    elbow: float = 0.021
    wrist: float = 0.015
    neck: float = 0.031
    hand: float = 0.014
    # torso rings: (height above the hip joints, half-width, half-depth, forward offset), fractions of H
    crotch: tuple[float, float, float, float] = (-0.045, 0.080, 0.060, -0.008)
    hips: tuple[float, float, float, float] = (0.000, 0.098, 0.066, -0.006)
    belt: tuple[float, float, float, float] = (0.045, 0.087, 0.061, -0.004)
    waist: tuple[float, float, float, float] = (0.105, 0.080, 0.058, 0.000)
    chest: tuple[float, float, float, float] = (0.215, 0.095, 0.066, 0.006)
    shoulders: tuple[float, float, float, float] = (0.300, 0.118, 0.050, 0.000)
    neck_base: tuple[float, float, float, float] = (0.318, 0.060, 0.035, 0.000)
    head_radii: tuple[float, float, float] = (0.058, 0.047, 0.066)  # half depth, breadth, height
    eye_radius: float = 0.0075
    iris_radius: float = 0.0042


@dataclass(frozen=True)
class Scene:
    """Room behind the figure: a wall with a vertical gradient and a floor with boards."""

    wall_top: BGR = (205, 212, 218)
    wall_bottom: BGR = (172, 182, 190)
    floor: BGR = (105, 135, 160)
    floor_lines: BGR = (85, 112, 136)
    baseboard: BGR = (235, 238, 240)
    wall_distance_m: float = 2.5    # wall behind the centre of the motion, along the view
    board_m: float = 0.40           # floor board width
    shadow_alpha: float = 0.28


# ---------------------------------------------------------------------------------------------
# Meshes
# ---------------------------------------------------------------------------------------------

def _basis(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors perpendicular to unit vector u."""
    ref = np.array([0.0, 0.0, 1.0]) if abs(u[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    e1 = np.cross(u, ref)
    e1 /= np.linalg.norm(e1)
    return e1, np.cross(u, e1)


@dataclass
class FigureMesh:
    """World-space quads with outward normals and base colours, plus 2-D decorations."""

    quads: list[np.ndarray] = field(default_factory=list)      # (n, 4, 3)
    normals: list[np.ndarray] = field(default_factory=list)    # (n, 3)
    colors: list[np.ndarray] = field(default_factory=list)     # (n, 3)
    extras: list[tuple[float, Callable[[np.ndarray], None]]] = field(default_factory=list)

    def lathe(self, centres: np.ndarray, ax_a: np.ndarray, ax_b: np.ndarray,
              color: BGR | np.ndarray) -> np.ndarray:
        """Rings ``centres[i] + cos t * ax_a[i] + sin t * ax_b[i]`` joined by quads; returns quad centres."""
        v = centres[:, None] + _COS[None, :, None] * ax_a[:, None] + _SIN[None, :, None] * ax_b[:, None]
        v1 = np.roll(v, -1, axis=1)
        q = np.stack([v[:-1], v1[:-1], v1[1:], v[1:]], axis=2)
        n = np.cross(q[..., 2, :] - q[..., 0, :], q[..., 3, :] - q[..., 1, :])
        mid = q.mean(axis=2)
        outward = mid - ((centres[:-1] + centres[1:]) / 2)[:, None]
        n *= np.where(np.sum(n * outward, axis=-1, keepdims=True) < 0, -1.0, 1.0)
        n /= np.maximum(np.linalg.norm(n, axis=-1, keepdims=True), 1e-12)
        col = np.broadcast_to(np.asarray(color, float), (*q.shape[:2], 3)).copy()
        self.quads.append(q.reshape(-1, 4, 3))
        self.normals.append(n.reshape(-1, 3))
        self.colors.append(col.reshape(-1, 3))
        return mid

    def capsule(self, a: np.ndarray, b: np.ndarray, ra: float, rb: float, color: BGR | np.ndarray,
                splits: tuple[float, ...] = ()) -> np.ndarray:
        """Tapered limb with rounded ends between world points a and b (radii in metres).

        ``splits`` adds rings at those fractions of |ab| so a colour edge (a hem) can fall exactly
        there; returns every quad's position along the axis as a fraction of |ab|.
        """
        axis = b - a
        length = np.linalg.norm(axis)
        u = axis / length if length > 1e-9 else np.array([0.0, 0.0, 1.0])
        e1, e2 = _basis(u)
        fr = np.asarray(splits, float)
        s = np.concatenate([ra * np.sin(_CAP), fr * length, length + rb * np.sin(-_CAP[::-1])])
        r = np.concatenate([ra * np.cos(_CAP), ra + fr * (rb - ra), rb * np.cos(-_CAP[::-1])])
        mid = self.lathe(a + u * s[:, None], e1 * r[:, None], e2 * r[:, None], color)
        return (mid - a) @ u / max(length, 1e-9)

    def ellipsoid(self, centre: np.ndarray, frame: np.ndarray, radii: np.ndarray, color: BGR | np.ndarray,
                  rings: int = 9) -> np.ndarray:
        """Ellipsoid around the frame's z axis; returns quad centres in unit local coordinates."""
        th = np.linspace(-np.pi / 2, np.pi / 2, rings)
        centres = centre + np.outer(np.sin(th) * radii[2], frame[:, 2])
        mid = self.lathe(centres, np.outer(np.cos(th) * radii[0], frame[:, 0]),
                         np.outer(np.cos(th) * radii[1], frame[:, 1]), color)
        return ((mid - centre) @ frame) / radii

    def recolor_last(self, mask: np.ndarray, color: BGR) -> None:
        self.colors[-1][mask.reshape(-1)] = color


# ---------------------------------------------------------------------------------------------
# The figure
# ---------------------------------------------------------------------------------------------

def _scaled(color: BGR | np.ndarray, k: float) -> np.ndarray:
    return np.minimum(np.asarray(color, float) * k, 255.0)


def _side_shade(cam: Camera, pose: Pose, look: Appearance) -> dict[str, float]:
    """Colour factor per body side: the side farther from the camera is darker."""
    p = pose.points
    d = {s: float(cam.to_camera((p[f"{s}_hip"] + p[f"{s}_shoulder"]) / 2)[2]) for s in SIDES}
    gap = d["left"] - d["right"]
    half_width = 0.5 * float(np.linalg.norm(p["left_hip"] - p["right_hip"]))
    k = float(np.clip(abs(gap) / max(half_width, 1e-6), 0.0, 1.0))
    far = "left" if gap > 0 else "right"
    return {far: 1.0 - (1.0 - look.far_side_shade) * k, ("right" if far == "left" else "left"): 1.0}


def build_figure(pose: Pose, cam: Camera, body: BodyProportions, look: Appearance = Appearance(),
                 shape: FigureShape = FigureShape()) -> FigureMesh:
    """All meshes of one frame in world coordinates."""
    mesh = FigureMesh()
    shade = _side_shade(cam, pose, look)
    for side in SIDES:
        _leg(mesh, pose, side, body, look, shape, shade[side])
        _arm(mesh, pose, side, body, look, shape, shade[side])
        _shoe(mesh, pose, side, body, look, shade[side])
    _torso(mesh, pose, body, look, shape)
    _head(mesh, pose, cam, body, look, shape)
    return mesh


def draw_figure(img: np.ndarray, pose: Pose, cam: Camera, body: BodyProportions,
                look: Appearance = Appearance(), shape: FigureShape = FigureShape()) -> None:
    """Paint one frame of the figure onto ``img`` (in place; ``cam`` must match img's size)."""
    mesh = build_figure(pose, cam, body, look, shape)
    quads = np.concatenate(mesh.quads)
    normals = np.concatenate(mesh.normals)
    colors = np.concatenate(mesh.colors)
    centres = quads.mean(axis=1)
    to_cam = -cam.view_dir(centres)
    facing = np.sum(normals * to_cam, axis=1)
    keep = facing > 0.0
    quads, normals, colors, centres = quads[keep], normals[keep], colors[keep], centres[keep]
    facing = facing[keep]
    light = cam.rotation.T @ np.array([look.light[0], -look.light[2], -look.light[1]])
    light /= np.linalg.norm(light)
    tone = look.ambient + look.diffuse * np.clip(normals @ light, 0.0, None) + look.fill * facing
    colors = np.minimum(colors * tone[:, None], 255.0)
    uv, _ = cam.project(quads)
    depth = cam.to_camera(centres)[:, 2]
    pts = np.round((uv - 0.5) * _ONE).astype(np.int32)
    items = [(float(d), i) for i, d in enumerate(depth)]
    items += [(d, -1 - j) for j, (d, _) in enumerate(mesh.extras)]   # negative: a 2-D decoration
    items.sort(key=lambda it: -it[0])
    col_list = colors.tolist()
    for _, i in items:
        if i >= 0:
            cv2.fillConvexPoly(img, pts[i], col_list[i], cv2.LINE_8, _SHIFT)
        else:
            mesh.extras[-1 - i][1](img)


def _segment_frame(axis: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """Frame with z along ``axis`` and x toward ``forward`` (made perpendicular to the axis)."""
    z = axis / np.linalg.norm(axis)
    x = forward - np.dot(forward, z) * z
    x = x / np.linalg.norm(x) if np.linalg.norm(x) > 1e-9 else _basis(z)[0]
    return np.stack([x, np.cross(z, x), z], axis=1)


def _leg(mesh: FigureMesh, pose: Pose, side: Side, body: BodyProportions, look: Appearance,
         shape: FigureShape, shade: float) -> None:
    """Thigh and shank capsules plus the bulges that show which way the leg faces: quadriceps and
    kneecap in front, calf behind."""
    p, h, g = pose.points, body.height_m, look.girth
    hip, knee, ankle = p[f"{side}_hip"], p[f"{side}_knee"], p[f"{side}_ankle"]
    pants, skin = _scaled(look.shorts, shade), _scaled(look.skin, shade)
    bend = knee - (hip + ankle) / 2              # the knee points this way (pelvis forward if straight)
    forward = bend + 0.02 * pose.frames["pelvis"][:, 0]
    hem_at, quad_at, quad_half = 0.45, 0.66, 0.26       # fractions of the thigh from the hip
    lower = pants if look.long_pants else skin
    along = mesh.capsule(hip, knee, g * h * shape.thigh_top, g * h * shape.knee, lower, splits=(hem_at,))
    mesh.recolor_last(along < hem_at, tuple(pants))   # shorts down to the hem (all of it for trousers)
    along = mesh.capsule(knee, ankle, g * h * shape.knee, g * h * shape.ankle, lower,
                         splits=(1.0 - look.sock_height,))
    if look.socks is not None and not look.long_pants:
        mesh.recolor_last(along > 1.0 - look.sock_height, tuple(_scaled(look.socks, shade)))
    thigh = _segment_frame(knee - hip, forward)
    shank = _segment_frame(ankle - knee, forward)
    thigh_len, shank_len = np.linalg.norm(knee - hip), np.linalg.norm(ankle - knee)
    # quadriceps bulge, all below the hem (its upper tip stays inside the thigh)
    mesh.ellipsoid(hip + quad_at * (knee - hip) + thigh[:, 0] * 0.010 * h, thigh,
                   np.array([0.038 * g * h, 0.040 * g * h, quad_half * thigh_len]), lower, rings=7)
    mesh.ellipsoid(knee + thigh[:, 0] * 0.014 * h, shank, np.full(3, 0.021 * g * h), lower, rings=5)
    mesh.ellipsoid(knee + 0.33 * (ankle - knee) - shank[:, 0] * 0.010 * h, shank,
                   np.array([0.032 * g * h, 0.030 * g * h, 0.27 * shank_len]), lower, rings=7)


def _shoe(mesh: FigureMesh, pose: Pose, side: Side, body: BodyProportions, look: Appearance,
          shade: float) -> None:
    """Shoe as a lathe along the foot: rear part follows the heel raise, the toe cap stays flat."""
    h, fl, bf = body.height_m, body.m(body.foot_length), body.ball_from_heel
    ball, rear, toes = pose.points[f"{side}_ball"], pose.frames[f"{side}_foot"], pose.frames[f"{side}_toes"]
    # (x from the ball along the foot, half-width, half-height, centre height), fractions of H or m
    rings = [(-bf * fl - 0.004 * h, 0.008, 0.010, 0.020, rear),             # back of the heel
             (-bf * fl + 0.006 * h, 0.018, 0.019, 0.020, rear),             # heel counter
             (-(bf - body.ankle_from_heel) * fl, 0.022, 0.021, 0.021, rear),  # collar under the ankle
             (-0.02 * h, 0.028, 0.019, 0.019, rear),
             (0.0, 0.028, 0.018, 0.018, toes),                               # ball: toes bend here
             (0.6 * (1 - bf) * fl, 0.025, 0.014, 0.014, toes),
             ((1 - bf) * fl - 0.006 * h, 0.016, 0.009, 0.010, toes),
             ((1 - bf) * fl, 0.004, 0.003, 0.009, toes)]                     # toe tip
    centres = np.stack([ball + fr @ np.array([x, 0.0, zc * h]) for x, _, _, zc, fr in rings])
    ax_a = np.stack([fr[:, 1] * w * h for _, w, _, _, fr in rings])
    ax_b = np.stack([fr[:, 2] * hh * h for _, _, hh, _, fr in rings])
    mesh.lathe(centres, ax_a, ax_b, _scaled(look.shoes, shade))
    down = mesh.normals[-1] @ rear[:, 2] < -0.55
    mesh.recolor_last(down, tuple(_scaled(look.soles, shade)))


def _arm(mesh: FigureMesh, pose: Pose, side: Side, body: BodyProportions, look: Appearance,
         shape: FigureShape, shade: float) -> None:
    p, h, g = pose.points, body.height_m, look.girth
    sh, el, wr = p[f"{side}_shoulder"], p[f"{side}_elbow"], p[f"{side}_wrist"]
    sleeve, skin = _scaled(look.shirt, shade), _scaled(look.skin, shade)
    if look.long_sleeves:
        mesh.capsule(sh, el, g * h * shape.upper_arm * 1.1, g * h * shape.elbow * 1.1, sleeve)
        mesh.capsule(el, wr, g * h * shape.elbow * 1.1, g * h * shape.wrist * 1.1, sleeve)
    else:   # short sleeve to mid upper arm
        along = mesh.capsule(sh, el, g * h * shape.upper_arm * 1.1, g * h * shape.elbow, skin, splits=(0.55,))
        mesh.recolor_last(along < 0.55, tuple(sleeve))
        mesh.capsule(el, wr, g * h * shape.elbow, g * h * shape.wrist, skin)
    knuckles = p[f"{side}_knuckles"]
    tips = (p[f"{side}_index"] + p[f"{side}_pinky"]) / 2
    mesh.capsule(wr, knuckles, h * shape.hand * 0.9, h * shape.hand, skin)
    mesh.capsule(knuckles, tips, h * shape.hand * 0.9, h * shape.hand * 0.6, skin)
    mesh.capsule(wr + 0.3 * (p[f"{side}_thumb"] - wr), p[f"{side}_thumb"], h * 0.0065, h * 0.0055, skin)


def _torso(mesh: FigureMesh, pose: Pose, body: BodyProportions, look: Appearance, shape: FigureShape) -> None:
    """Elliptical cross-sections: the pelvis block follows the pelvis (obliquity, rotation), the
    chest follows the trunk."""
    p, f, h, g = pose.points, pose.frames, body.height_m, look.girth
    rings = ((shape.crotch, f["pelvis"]), (shape.hips, f["pelvis"]), (shape.belt, f["pelvis"]),
             (shape.waist, f["trunk"]), (shape.chest, f["trunk"]), (shape.shoulders, f["trunk"]),
             (shape.neck_base, f["trunk"]))
    centres = np.stack([p["pelvis"] + fr @ np.array([dx * h, 0.0, dz * h]) for (dz, _, _, dx), fr in rings])
    ax_a = np.stack([fr[:, 0] * hd * h * g for (_, _, hd, _), fr in rings])
    ax_b = np.stack([fr[:, 1] * hw * h * g for (_, hw, _, _), fr in rings])
    bands = np.array([look.shorts, look.shorts, look.shirt, look.shirt, look.shirt, look.shirt], float)
    mesh.lathe(centres, ax_a, ax_b, bands[:, None, :])
    bottom = centres[0] - f["pelvis"][:, 2] * 0.01 * h   # close the crotch
    mesh.lathe(np.stack([bottom, centres[0]]), np.stack([ax_a[0] * 0.0, ax_a[0]]),
               np.stack([ax_b[0] * 0.0, ax_b[0]]), look.shorts)
    for side in SIDES:   # glutes: the pelvis has a back
        centre = p["pelvis"] + f["pelvis"] @ (np.array([-0.030, 0.040 * side_sign(side), -0.014]) * h)
        mesh.ellipsoid(centre, f["pelvis"], np.array([0.050, 0.050, 0.058]) * h * g, look.shorts, rings=7)
    top = p["neck"] + f["trunk"] @ np.array([0.0, 0.0, 0.02 * h])
    head_base = p["head"] - f["head"] @ np.array([0.01 * h, 0.0, 0.035 * h])
    mesh.capsule(top, head_base, h * shape.neck * g, h * shape.neck * g * 0.95, look.skin)


def _head(mesh: FigureMesh, pose: Pose, cam: Camera, body: BodyProportions, look: Appearance,
          shape: FigureShape) -> None:
    p, h = pose.points, body.height_m
    frame, centre = pose.frames["head"], p["head"]
    local = mesh.ellipsoid(centre, frame, np.array(shape.head_radii) * h, look.skin)
    hair = (local[..., 2] > 0.42) | ((local[..., 0] < -0.15) & (local[..., 2] > -0.45))
    mesh.recolor_last(hair, look.hair)
    for side in SIDES:
        ear_frame = frame @ np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]])
        mesh.ellipsoid(p[f"{side}_ear"], ear_frame, np.array([0.011, 0.005, 0.017]) * h,
                       _scaled(look.skin, 0.9), rings=5)
    bridge = (p["left_eye_inner"] + p["right_eye_inner"]) / 2 - (frame[:, 2] + frame[:, 0]) * 0.006 * h
    mesh.capsule(bridge, p["nose"] - frame[:, 0] * 0.004 * h, 0.004 * h, 0.0065 * h, _scaled(look.skin, 0.97))
    _face_details(mesh, pose, cam, body, look, shape)


def _face_details(mesh: FigureMesh, pose: Pose, cam: Camera, body: BodyProportions, look: Appearance,
                  shape: FigureShape) -> None:
    """Eyes, brows and mouth as 2-D marks painted right after the face surface they sit on."""
    p, h = pose.points, body.height_m
    frame = pose.frames["head"]

    def facing(point: np.ndarray, normal: np.ndarray) -> float:
        return float(-np.dot(cam.view_dir(point), normal))

    def fixed(uv: np.ndarray) -> tuple[int, int]:
        return tuple(np.round((uv - 0.5) * _ONE).astype(int))

    for side in SIDES:
        eye = p[f"{side}_eye"]
        normal = (eye - p["head"]) / np.linalg.norm(eye - p["head"])
        vis = facing(eye, normal)
        if vis <= 0.15:
            continue
        uv, z = cam.project(eye)
        lat, _ = cam.project(eye + frame[:, 1] * 0.01)
        ang = float(np.degrees(np.arctan2(lat[1] - uv[1], lat[0] - uv[0])))
        r = cam.focal_px * shape.eye_radius * h / z
        ri = cam.focal_px * shape.iris_radius * h / z
        iris_uv, _ = cam.project(eye + frame[:, 0] * 0.003 * h)
        brow_ends = np.stack([p[f"{side}_eye_inner"], p[f"{side}_eye_outer"]]) + frame[:, 2] * 0.014 * h
        brow, _ = cam.project(brow_ends)

        def draw(img: np.ndarray, uv=uv, iris_uv=iris_uv, brow=brow, r=r, ri=ri, vis=vis, ang=ang) -> None:
            axes = (int(r * vis * _ONE) + 1, int(r * 0.7 * _ONE) + 1)
            cv2.ellipse(img, fixed(uv), axes, ang, 0, 360, look.eyes, -1, cv2.LINE_8, _SHIFT)
            cv2.ellipse(img, fixed(iris_uv), (int(ri * vis * _ONE) + 1, int(ri * _ONE) + 1), ang, 0, 360,
                        look.iris, -1, cv2.LINE_8, _SHIFT)
            cv2.line(img, fixed(brow[0]), fixed(brow[1]), look.hair, max(1, int(round(r * 0.5))), cv2.LINE_8,
                     _SHIFT)

        mesh.extras.append((float(z) - 0.02, draw))
    mouth = np.stack([p["mouth_left"], p["mouth_right"]])
    if facing(mouth.mean(axis=0), frame[:, 0]) > 0.3:
        uv, z = cam.project(mouth)
        thick = max(1, int(round(cam.focal_px * 0.004 * h / z.mean())))

        def draw_mouth(img: np.ndarray) -> None:
            cv2.line(img, fixed(uv[0]), fixed(uv[1]), look.lips, thick, cv2.LINE_8, _SHIFT)

        mesh.extras.append((float(z.mean()) - 0.02, draw_mouth))


# ---------------------------------------------------------------------------------------------
# Background and shadow
# ---------------------------------------------------------------------------------------------

def _fixed(pts: np.ndarray) -> np.ndarray:
    return np.round((np.asarray(pts) - 0.5) * _ONE).astype(np.int32)


def render_background(cam: Camera, scene: Scene, centre: np.ndarray) -> np.ndarray:
    """Wall and floor as seen by ``cam``; ``centre`` is the middle of the motion."""
    w, h = cam.size
    ramp = np.linspace(0.0, 1.0, h)[:, None, None]
    img = ((1 - ramp) * np.array(scene.wall_top) + ramp * np.array(scene.wall_bottom)).astype(np.float32)
    img = np.ascontiguousarray(np.repeat(img, w, axis=1).astype(np.uint8))
    fwd = cam.rotation[2] * np.array([1.0, 1.0, 0.0])
    fwd /= np.linalg.norm(fwd)
    right = np.array([fwd[1], -fwd[0], 0.0])
    cam_xy = cam.position * np.array([1.0, 1.0, 0.0])
    along = float(np.dot(np.asarray(centre, float) * [1, 1, 0] - cam_xy, fwd)) + scene.wall_distance_m

    def floor_pt(a: float, b: float, z: float = 0.0) -> np.ndarray:
        return cam_xy + a * fwd + b * right + np.array([0.0, 0.0, z])

    def line(p0: np.ndarray, p1: np.ndarray, color: BGR) -> None:
        seg, _ = cam.project(np.stack([p0, p1]))
        thick = max(1, w // 900)
        cv2.line(img, tuple(_fixed(seg[0])), tuple(_fixed(seg[1])), color, thick, cv2.LINE_AA, _SHIFT)

    far = 60.0
    junction, _ = cam.project(np.stack([floor_pt(along, -far), floor_pt(along, far)]))
    board_top, _ = cam.project(np.stack([floor_pt(along, -far, 0.09), floor_pt(along, far, 0.09)]))
    floor_poly = np.array([junction[0], junction[1], [junction[1][0], 10 * h], [junction[0][0], 10 * h]])
    cv2.fillPoly(img, [_fixed(floor_poly)], scene.floor, cv2.LINE_AA, _SHIFT)
    near = 0.6
    for b in np.arange(-30.0, 30.0 + 1e-6, scene.board_m):   # boards run toward the wall
        line(floor_pt(near, b), floor_pt(along, b), scene.floor_lines)
    for a in np.arange(near + 0.9, along, 1.2):               # board ends
        line(floor_pt(a, -far), floor_pt(a, far), scene.floor_lines)
    base = np.array([junction[0], junction[1], board_top[1], board_top[0]])
    cv2.fillPoly(img, [_fixed(base)], scene.baseboard, cv2.LINE_AA, _SHIFT)
    return img


def draw_shadow(img: np.ndarray, cam: Camera, pose: Pose, scene: Scene) -> None:
    """Soft contact shadow on the floor under the body and each foot."""
    ang = np.linspace(0, 2 * np.pi, 28, endpoint=False)
    ring = np.stack([np.cos(ang), np.sin(ang), np.zeros_like(ang)], axis=1)
    p = pose.points
    blobs = [(p["pelvis"] * [1, 1, 0], np.array([0.30, 0.22, 0.0]))]
    for s in SIDES:
        mid = (p[f"{s}_heel"] + p[f"{s}_foot_index"]) / 2 * [1, 1, 0]
        blobs.append((mid, np.array([0.17, 0.09, 0.0])))
    polys = []
    for centre, radii in blobs:
        uv, depth = cam.project(centre + ring * radii)
        if (depth > 0.2).all():
            polys.append(_fixed(uv))
    if not polys:
        return
    allpts = np.concatenate(polys) >> _SHIFT
    x0, y0 = np.maximum(allpts.min(axis=0) - 2, 0)
    x1, y1 = np.minimum(allpts.max(axis=0) + 3, [img.shape[1], img.shape[0]])
    if x1 <= x0 or y1 <= y0:
        return
    roi = img[y0:y1, x0:x1]
    overlay = roi.copy()
    offset = np.array([x0, y0]) * _ONE
    for poly in polys:
        cv2.fillConvexPoly(overlay, poly - offset, (0, 0, 0), cv2.LINE_AA, _SHIFT)
    cv2.addWeighted(overlay, scene.shadow_alpha, roi, 1 - scene.shadow_alpha, 0, dst=roi)


# ---------------------------------------------------------------------------------------------
# Frames and video
# ---------------------------------------------------------------------------------------------

class FrameRenderer:
    """Renders poses of one clip: fixed camera, looks and background, drawn at ``supersample`` x."""

    def __init__(self, cam: Camera, body: BodyProportions, look: Appearance = Appearance(),
                 shape: FigureShape = FigureShape(), scene: Scene = Scene(),
                 centre: np.ndarray | None = None, supersample: int = 2) -> None:
        self.cam, self.body, self.look, self.shape, self.scene = cam, body, look, shape, scene
        self.supersample = supersample
        self.draw_cam = cam.scaled(supersample)
        centre = np.zeros(3) if centre is None else np.asarray(centre, float)
        self.background = render_background(self.draw_cam, scene, centre)

    def render(self, pose: Pose) -> np.ndarray:
        """One BGR frame at the camera's size: background, contact shadow, figure."""
        img = self.background.copy()
        draw_shadow(img, self.draw_cam, pose, self.scene)
        draw_figure(img, pose, self.draw_cam, self.body, self.look, self.shape)
        if self.supersample == 1:
            return img
        return cv2.resize(img, self.cam.size, interpolation=cv2.INTER_AREA)


def degrade(img: np.ndarray, rng: np.random.Generator, noise_sigma: float = 0.0,
            blur_sigma: float = 0.0) -> np.ndarray:
    """Camera imperfections: Gaussian blur (defocus/motion) then sensor noise."""
    out = img
    if blur_sigma > 0:
        out = cv2.GaussianBlur(out, (0, 0), blur_sigma)
    if noise_sigma > 0:  # float32 noise: a 1080p frame in ~25 ms instead of ~80 ms
        noisy = rng.standard_normal(out.shape, dtype=np.float32)
        noisy *= noise_sigma
        noisy += out
        out = np.clip(noisy, 0, 255, out=noisy).astype(np.uint8)
    return out


class Mp4Writer:
    """cv2.VideoWriter with the 'mp4v' codec that refuses to fail silently."""

    def __init__(self, path: str, fps: float, size: tuple[int, int]) -> None:
        self.size = size
        self._w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), float(fps), size)
        if not self._w.isOpened():
            raise OSError(f"cannot open a video writer for {path}")

    def write(self, frame: np.ndarray) -> None:
        if (frame.shape[1], frame.shape[0]) != self.size:
            raise ValueError(f"frame is {frame.shape[1]}x{frame.shape[0]}, writer expects {self.size}")
        self._w.write(frame)

    def close(self) -> None:
        self._w.release()

    def __enter__(self) -> Mp4Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
