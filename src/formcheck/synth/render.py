"""Draw the synthetic skeleton as a solid, shaded figure through a perspective camera (OpenCV).

The figure is built from the few shapes a person detector keys on: tapered limb capsules, a torso
of elliptical cross-sections, a head with hair, eyes, nose, mouth and ears, shoes with heel and
toe. Every shape is the convex hull of projected 3-D points, so it is correct from any viewing
angle, and shapes are painted far-to-near (painter's algorithm on camera depth). Limbs on the far
side of the body are drawn darker, the way they look under ordinary room light.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import cv2
import numpy as np

from formcheck.synth.kinematics import SIDES, BodyProportions, Pose, side_sign

BGR = tuple[int, int, int]
_SHIFT = 4                       # sub-pixel bits for OpenCV polygon drawing
_ONE = 1 << _SHIFT


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
        """Unit vector from the camera to a world point."""
        d = np.asarray(p, float) - self.position
        return d / np.linalg.norm(d)


def place_camera(spec: CameraSpec, points: np.ndarray, size: tuple[int, int]) -> Camera:
    """Aim at the centre of everything the figure does and fit it in the frame.

    ``points``: (..., 3) world points covering the whole clip (joints plus head top and toes).
    """
    pts = np.asarray(points, float).reshape(-1, 3)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    target = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2])
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
    shorts: BGR = (140, 100, 62)
    shoes: BGR = (235, 235, 235)
    soles: BGR = (70, 70, 70)
    eyes: BGR = (245, 245, 245)
    iris: BGR = (60, 40, 30)
    lips: BGR = (95, 95, 165)
    long_pants: bool = True        # trousers/leggings to the ankle (else shorts to mid-thigh)
    long_sleeves: bool = False     # else short sleeves to mid upper arm
    girth: float = 1.0             # multiplies every limb and torso radius (slim < 1 < heavy)
    far_side_shade: float = 0.62   # colour factor of limbs on the far side of the body
    light_dir: tuple[float, float] = (-0.45, -0.89)   # image direction the light comes from


@dataclass(frozen=True)
class FigureShape:
    """Radii as fractions of height, from typical adult girths (mid-thigh ~0.30 H circumference,
    calf ~0.21 H, upper arm ~0.17 H, forearm ~0.15 H; ANSUR II medians, r = C / 2 pi)."""

    thigh_top: float = 0.046
    knee: float = 0.030
    calf: float = 0.033
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
    board_m: float = 0.25           # floor board width
    shadow_alpha: float = 0.28


# ---------------------------------------------------------------------------------------------
# Drawing primitives
# ---------------------------------------------------------------------------------------------

def _fixed(pts: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(pts) * _ONE).astype(np.int32)


def _fill(img: np.ndarray, pts: np.ndarray, color: Iterable[float]) -> None:
    hull = cv2.convexHull(_fixed(pts).reshape(-1, 1, 2))
    cv2.fillConvexPoly(img, hull, tuple(float(c) for c in color), cv2.LINE_AA, _SHIFT)


def _scaled(color: Iterable[float], k: float) -> tuple[float, ...]:
    return tuple(float(min(255.0, c * k)) for c in color)


_CIRCLE = np.stack([np.cos(np.linspace(0, 2 * np.pi, 18, endpoint=False)),
                    np.sin(np.linspace(0, 2 * np.pi, 18, endpoint=False))], axis=1)


def _capsule_pts(a: np.ndarray, b: np.ndarray, ra: float, rb: float) -> np.ndarray:
    return np.concatenate([a + ra * _CIRCLE, b + rb * _CIRCLE])


def shaded_capsule(img: np.ndarray, a: np.ndarray, b: np.ndarray, ra: float, rb: float, color: BGR,
                   light: np.ndarray) -> None:
    """A tapered limb: dark rim, mid-tone body, highlight toward the light."""
    _fill(img, _capsule_pts(a, b, ra, rb), _scaled(color, 0.72))
    for k, shift, tone in ((0.8, 0.16, 1.0), (0.42, 0.42, 1.16)):
        off = light * shift * (ra + rb) / 2
        _fill(img, _capsule_pts(a + off, b + off, ra * k, rb * k), _scaled(color, tone))


def shaded_hull(img: np.ndarray, pts: np.ndarray, color: BGR, light: np.ndarray) -> None:
    """A solid blob (torso piece, head, shoe) shaded by shrinking it toward the light."""
    _fill(img, pts, _scaled(color, 0.74))
    c = pts.mean(axis=0)
    size = float(np.sqrt(np.ptp(pts[:, 0]) * np.ptp(pts[:, 1]) + 1e-6))
    for k, shift, tone in ((0.86, 0.05, 1.0), (0.5, 0.16, 1.13)):
        _fill(img, c + (pts - c) * k + light * shift * size, _scaled(color, tone))


# ---------------------------------------------------------------------------------------------
# Background
# ---------------------------------------------------------------------------------------------

def render_background(cam: Camera, scene: Scene, centre: np.ndarray) -> np.ndarray:
    """Wall and floor as seen by ``cam``; ``centre`` is the middle of the motion on the floor."""
    w, h = cam.size
    ramp = np.linspace(0.0, 1.0, h)[:, None, None]
    img = ((1 - ramp) * np.array(scene.wall_top) + ramp * np.array(scene.wall_bottom)).astype(np.float32)
    img = np.repeat(img, w, axis=1).astype(np.uint8)
    fwd = cam.rotation[2] * np.array([1.0, 1.0, 0.0])
    fwd /= np.linalg.norm(fwd)
    right = np.array([-fwd[1], fwd[0], 0.0]) * -1.0
    cam_xy = cam.position * np.array([1.0, 1.0, 0.0])
    along = float(np.dot(np.asarray(centre, float) * [1, 1, 0] - cam_xy, fwd)) + scene.wall_distance_m

    def floor_pt(a: float, b: float, z: float = 0.0) -> np.ndarray:
        return cam_xy + a * fwd + b * right + np.array([0.0, 0.0, z])

    far = 60.0
    junction, _ = cam.project(np.stack([floor_pt(along, -far), floor_pt(along, far)]))
    board_top, _ = cam.project(np.stack([floor_pt(along, -far, 0.09), floor_pt(along, far, 0.09)]))
    floor_poly = np.array([junction[0], junction[1], [junction[1][0], 10 * h], [junction[0][0], 10 * h]])
    cv2.fillPoly(img, [_fixed(floor_poly)], scene.floor, cv2.LINE_AA, _SHIFT)
    near = 0.6
    for b in np.arange(-30.0, 30.0 + 1e-6, scene.board_m):   # boards run toward the wall
        seg, _ = cam.project(np.stack([floor_pt(near, b), floor_pt(along, b)]))
        cv2.line(img, tuple(_fixed(seg[0])), tuple(_fixed(seg[1])), scene.floor_lines, 1, cv2.LINE_AA, _SHIFT)
    for a in np.arange(near + 0.9, along, 1.2):               # board ends
        seg, _ = cam.project(np.stack([floor_pt(a, -far), floor_pt(a, far)]))
        cv2.line(img, tuple(_fixed(seg[0])), tuple(_fixed(seg[1])), scene.floor_lines, 1, cv2.LINE_AA, _SHIFT)
    base = np.array([junction[0], junction[1], board_top[1], board_top[0]])
    cv2.fillPoly(img, [_fixed(base)], scene.baseboard, cv2.LINE_AA, _SHIFT)
    return img


def draw_shadow(img: np.ndarray, cam: Camera, pose: Pose, scene: Scene) -> None:
    """Soft contact shadow on the floor under the body and each foot."""
    overlay = img.copy()
    ang = np.linspace(0, 2 * np.pi, 28, endpoint=False)
    ring = np.stack([np.cos(ang), np.sin(ang), np.zeros_like(ang)], axis=1)
    p = pose.points
    blobs = [(p["pelvis"] * [1, 1, 0], np.array([0.30, 0.22, 0.0]))]
    for s in SIDES:
        mid = (p[f"{s}_heel"] + p[f"{s}_foot_index"]) / 2 * [1, 1, 0]
        blobs.append((mid, np.array([0.17, 0.09, 0.0])))
    for centre, radii in blobs:
        uv, depth = cam.project(centre + ring * radii)
        if (depth > 0.2).all():
            _fill(overlay, uv, (0, 0, 0))
    cv2.addWeighted(overlay, scene.shadow_alpha, img, 1 - scene.shadow_alpha, 0, dst=img)


# ---------------------------------------------------------------------------------------------
# The figure
# ---------------------------------------------------------------------------------------------

@dataclass
class _Painter:
    """Collects (depth, draw) pairs for one frame and paints them far to near."""

    img: np.ndarray
    cam: Camera
    light: np.ndarray
    items: list[tuple[float, Callable[[], None]]]

    def add(self, depth: float, fn: Callable[[], None]) -> None:
        self.items.append((depth, fn))

    def paint(self) -> None:
        for _, fn in sorted(self.items, key=lambda it: -it[0]):
            fn()


def _side_shade(cam: Camera, pose: Pose, look: Appearance) -> dict[str, float]:
    """Colour factor per body side: the side farther from the camera is darker."""
    p = pose.points
    d = {s: float(cam.to_camera((p[f"{s}_hip"] + p[f"{s}_shoulder"]) / 2)[2]) for s in SIDES}
    gap = d["left"] - d["right"]
    half_width = 0.5 * float(np.linalg.norm(p["left_hip"] - p["right_hip"]))
    k = float(np.clip(abs(gap) / max(half_width, 1e-6), 0.0, 1.0))
    far = "left" if gap > 0 else "right"
    return {far: 1.0 - (1.0 - look.far_side_shade) * k, ("right" if far == "left" else "left"): 1.0}


def draw_figure(img: np.ndarray, pose: Pose, cam: Camera, body: BodyProportions,
                look: Appearance = Appearance(), shape: FigureShape = FigureShape()) -> None:
    """Paint one frame of the figure onto ``img`` (in place)."""
    light = np.asarray(look.light_dir, float)
    pt = _Painter(img, cam, light / np.linalg.norm(light), [])
    shade = _side_shade(cam, pose, look)
    for side in SIDES:
        _add_leg(pt, pose, side, body, look, shape, shade[side])
        _add_arm(pt, pose, side, body, look, shape, shade[side])
    _add_torso(pt, pose, body, look, shape)
    _add_head(pt, pose, body, look, shape)
    pt.paint()


def _limb(pt: _Painter, a: np.ndarray, b: np.ndarray, ra_m: float, rb_m: float, color: BGR,
          bias: float = 0.0) -> None:
    """Queue a tapered capsule between world points a and b with radii in metres."""
    uv, z = pt.cam.project(np.stack([a, b]))
    f = pt.cam.focal_px
    ra, rb = f * ra_m / max(z[0], 1e-3), f * rb_m / max(z[1], 1e-3)
    pt.add(float(z.mean()) + bias, lambda: shaded_capsule(pt.img, uv[0], uv[1], ra, rb, color, pt.light))


def _add_leg(pt: _Painter, pose: Pose, side: str, body: BodyProportions, look: Appearance,
             shape: FigureShape, shade: float) -> None:
    p, h, g = pose.points, body.height_m, look.girth
    hip, knee, ankle = p[f"{side}_hip"], p[f"{side}_knee"], p[f"{side}_ankle"]
    lower = look.shorts if look.long_pants else look.skin
    _limb(pt, hip, knee, g * h * shape.thigh_top, g * h * shape.knee, _scaled(look.shorts, shade))
    if not look.long_pants:   # bare leg below the shorts' hem
        hem = hip + 0.45 * (knee - hip)
        _limb(pt, hem, knee, g * h * shape.thigh_top * 0.88, g * h * shape.knee, _scaled(look.skin, shade), -0.002)
    calf = knee + 0.3 * (ankle - knee)
    _limb(pt, knee, calf, g * h * shape.knee, g * h * shape.calf, _scaled(lower, shade))
    _limb(pt, calf, ankle, g * h * shape.calf, g * h * shape.ankle, _scaled(lower, shade))
    _add_shoe(pt, pose, side, body, look, shade)


def _add_shoe(pt: _Painter, pose: Pose, side: str, body: BodyProportions, look: Appearance,
              shade: float) -> None:
    p, h = pose.points, body.height_m
    fl = body.m(body.foot_length)
    bf = body.ball_from_heel
    ball, rear, toes = p[f"{side}_ball"], pose.frames[f"{side}_foot"], pose.frames[f"{side}_toes"]
    rear_local = []
    for y in (-1.0, 1.0):
        rear_local += [(-bf * fl - 0.004 * h, 0.018 * h * y, 0.0), (-bf * fl, 0.018 * h * y, 0.042 * h),
                       (-(bf - body.ankle_from_heel) * fl, 0.021 * h * y, 0.046 * h),
                       (0.0, 0.028 * h * y, 0.0), (0.0, 0.027 * h * y, 0.034 * h)]
    toe_local = []
    for y in (-1.0, 1.0):
        toe_local += [(0.0, 0.028 * h * y, 0.0), (0.0, 0.027 * h * y, 0.034 * h),
                      ((1 - bf) * fl, 0.018 * h * y, 0.0), ((1 - bf) * fl - 0.01 * h, 0.02 * h * y, 0.02 * h)]
    world = np.concatenate([ball + np.array(rear_local) @ rear.T, ball + np.array(toe_local) @ toes.T])
    uv, z = pt.cam.project(world)
    color = _scaled(look.shoes, shade)
    sole = _scaled(look.soles, shade)

    def draw() -> None:
        n = len(rear_local)
        bottoms = np.concatenate([uv[:n][0::5], uv[:n][3::5], uv[n:][0::4], uv[n:][2::4]])
        _fill(pt.img, bottoms + np.array([0.0, 1.5]), sole)
        shaded_hull(pt.img, uv[:n], color, pt.light)
        shaded_hull(pt.img, uv[n:], color, pt.light)

    pt.add(float(z.mean()) - 0.01, draw)


def _add_arm(pt: _Painter, pose: Pose, side: str, body: BodyProportions, look: Appearance,
             shape: FigureShape, shade: float) -> None:
    p, h, g = pose.points, body.height_m, look.girth
    sh, el, wr = p[f"{side}_shoulder"], p[f"{side}_elbow"], p[f"{side}_wrist"]
    sleeve = _scaled(look.shirt, shade)
    skin = _scaled(look.skin, shade)
    if look.long_sleeves:
        _limb(pt, sh, el, g * h * shape.upper_arm, g * h * shape.elbow, sleeve)
        _limb(pt, el, wr, g * h * shape.elbow, g * h * shape.wrist, sleeve)
    else:
        hem = sh + 0.55 * (el - sh)
        _limb(pt, hem, el, g * h * shape.upper_arm * 0.85, g * h * shape.elbow, skin, 0.002)
        _limb(pt, sh, hem, g * h * shape.upper_arm * 1.12, g * h * shape.upper_arm * 1.05, sleeve)
        _limb(pt, el, wr, g * h * shape.elbow, g * h * shape.wrist, skin)
    knuckles = p[f"{side}_knuckles"]
    _limb(pt, wr, knuckles, h * shape.hand, h * shape.hand * 1.05, skin, -0.003)
    _limb(pt, knuckles, (p[f"{side}_index"] + p[f"{side}_pinky"]) / 2, h * shape.hand, h * shape.hand * 0.7,
          skin, -0.003)
    _limb(pt, wr + 0.3 * (p[f"{side}_thumb"] - wr), p[f"{side}_thumb"], h * 0.007, h * 0.006, skin, -0.004)


def _ring(centre: np.ndarray, frame: np.ndarray, ring: tuple[float, float, float, float], h: float,
          girth: float) -> np.ndarray:
    """16 points of an elliptical torso cross-section (radii scaled by ``girth``)."""
    dz, half_w, half_d, dx = ring
    ang = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    local = np.stack([dx * h + girth * half_d * h * np.cos(ang), girth * half_w * h * np.sin(ang),
                      np.full_like(ang, dz * h)], axis=1)
    return centre + local @ frame.T


_TORSO_SHADES = ((1.0, 0.0, 0.74), (0.84, 0.06, 1.0), (0.45, 0.16, 1.13))   # (radius, light shift, tone)


def _add_torso(pt: _Painter, pose: Pose, body: BodyProportions, look: Appearance, shape: FigureShape) -> None:
    """Torso as hulls of consecutive cross-sections, shaded by shrinking the sections themselves
    (so neighbouring pieces stay seamless)."""
    p, f, h, g = pose.points, pose.frames, body.height_m, look.girth
    pelvis, trunk = f["pelvis"], f["trunk"]
    # The pelvis block follows the pelvis (obliquity, rotation); the chest follows the trunk.
    rings = (("crotch", pelvis, shape.crotch), ("hips", pelvis, shape.hips),
             ("belt", pelvis, shape.belt), ("waist", trunk, shape.waist), ("chest", trunk, shape.chest),
             ("shoulders", trunk, shape.shoulders))
    pieces = ((0, 1, look.shorts), (1, 2, look.shorts), (2, 3, look.shirt), (3, 4, look.shirt),
              (4, 5, look.shirt))
    layers = []
    for k, shift, tone in _TORSO_SHADES:
        uv = [pt.cam.project(_ring(p["pelvis"], fr, ring, h, g * k))[0] for _, fr, ring in rings]
        layers.append((uv, shift, tone))
    _, z = pt.cam.project(np.stack([p["pelvis"], p["neck"]]))
    size = float(pt.cam.focal_px * body.trunk_m / z.mean())

    def draw() -> None:
        for uv, shift, tone in layers:
            off = pt.light * shift * size * 0.5
            for lo, hi, color in pieces:
                _fill(pt.img, np.concatenate([uv[lo], uv[hi]]) + off, _scaled(color, tone))

    pt.add(float(z.mean()), draw)
    top = p["neck"] + trunk @ np.array([0.0, 0.0, 0.02 * h])
    _limb(pt, top, p["head"] - f["head"] @ np.array([0.01 * h, 0.0, 0.035 * h]), h * shape.neck * g,
          h * shape.neck * g, look.skin, 0.05)


def _ellipsoid_pts(centre: np.ndarray, frame: np.ndarray, radii: np.ndarray,
                   keep: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
    u, v = np.meshgrid(np.linspace(0, 2 * np.pi, 20, endpoint=False), np.linspace(-np.pi / 2, np.pi / 2, 11))
    unit = np.stack([np.cos(v) * np.cos(u), np.cos(v) * np.sin(u), np.sin(v)], axis=-1).reshape(-1, 3)
    if keep is not None:
        unit = unit[keep(unit)]
    return centre + (unit * radii) @ frame.T


def _add_head(pt: _Painter, pose: Pose, body: BodyProportions, look: Appearance, shape: FigureShape) -> None:
    p, h = pose.points, body.height_m
    frame, centre = pose.frames["head"], p["head"]
    radii = np.array(shape.head_radii) * h
    cam = pt.cam
    head_uv, z = cam.project(_ellipsoid_pts(centre, frame, radii))
    crown_uv, _ = cam.project(_ellipsoid_pts(centre, frame, radii * 1.04,
                                             lambda u: (u[:, 2] > 0.45) & (u[:, 0] < 0.75)))
    back_uv, _ = cam.project(_ellipsoid_pts(centre, frame, radii * 1.04,
                                            lambda u: (u[:, 0] < -0.05) & (u[:, 2] > -0.35)))
    view = cam.view_dir(centre)
    facing = float(np.dot(view, frame[:, 0]))        # -1 = face toward the camera

    def visible(point: np.ndarray, normal: np.ndarray) -> float:
        return float(-np.dot(cam.view_dir(point), normal))

    def draw() -> None:
        if facing < -0.5:
            _fill(pt.img, back_uv, look.hair)
        shaded_hull(pt.img, head_uv, look.skin, pt.light)
        for side in SIDES:
            _draw_ear(pt, p[f"{side}_ear"], frame[:, 1] * side_sign(side), look, h, visible)
        if facing >= -0.5:
            shaded_hull(pt.img, back_uv, look.hair, pt.light)
        shaded_hull(pt.img, crown_uv, look.hair, pt.light)
        _draw_face(pt, pose, frame, look, shape, h, visible)

    pt.add(float(z.mean()), draw)


def _draw_ear(pt: _Painter, ear: np.ndarray, normal: np.ndarray, look: Appearance, h: float,
              visible: Callable[[np.ndarray, np.ndarray], float]) -> None:
    vis = visible(ear, normal)
    if vis <= 0.15:
        return
    uv, z = pt.cam.project(ear)
    r = pt.cam.focal_px * 0.012 * h / z
    cv2.ellipse(pt.img, tuple(_fixed(uv)), (int(r * vis * 0.8 * _ONE) + 1, int(r * 1.4 * _ONE)), 0, 0, 360,
                _scaled(look.skin, 0.85), -1, cv2.LINE_AA, _SHIFT)


def _draw_face(pt: _Painter, pose: Pose, frame: np.ndarray, look: Appearance, shape: FigureShape, h: float,
               visible: Callable[[np.ndarray, np.ndarray], float]) -> None:
    p, cam = pose.points, pt.cam
    fwd = frame[:, 0]
    for side in SIDES:
        eye = p[f"{side}_eye"]
        normal = (eye - p["head"]) / np.linalg.norm(eye - p["head"])
        vis = visible(eye, normal)
        if vis <= 0.1:
            continue
        uv, z = cam.project(eye)
        lat, _ = cam.project(eye + frame[:, 1] * 0.01)
        ang = float(np.degrees(np.arctan2(*(lat - uv)[::-1])))
        r = cam.focal_px * shape.eye_radius * h / z
        ri = cam.focal_px * shape.iris_radius * h / z
        centre = tuple(_fixed(uv))
        cv2.ellipse(pt.img, centre, (int(r * vis * _ONE) + 1, int(r * 0.7 * _ONE) + 1), ang, 0, 360, look.eyes,
                    -1, cv2.LINE_AA, _SHIFT)
        iris_uv, _ = cam.project(eye + fwd * 0.003 * h)
        cv2.ellipse(pt.img, tuple(_fixed(iris_uv)), (int(ri * vis * _ONE) + 1, int(ri * _ONE) + 1), ang, 0, 360,
                    look.iris, -1, cv2.LINE_AA, _SHIFT)
        brow, _ = cam.project(np.stack([p[f"{side}_eye_inner"], p[f"{side}_eye_outer"]])
                              + frame[:, 2] * 0.014 * h)
        cv2.line(pt.img, tuple(_fixed(brow[0])), tuple(_fixed(brow[1])), look.hair,
                 max(1, int(round(r * 0.5))), cv2.LINE_AA, _SHIFT)
    nose, bridge = p["nose"], (p["left_eye_inner"] + p["right_eye_inner"]) / 2 - frame[:, 2] * 0.008 * h
    if visible(nose, fwd) > -0.2:
        uv, z = cam.project(np.stack([bridge, nose]))
        r = cam.focal_px * 0.0065 * h / z.mean()
        shaded_capsule(pt.img, uv[0], uv[1], r * 0.8, r, _scaled(look.skin, 0.95), pt.light)
    mouth = np.stack([p["mouth_left"], p["mouth_right"]])
    if visible(mouth.mean(axis=0), fwd) > 0.25:
        uv, z = cam.project(mouth)
        thick = max(1, int(round(cam.focal_px * 0.004 * h / z.mean())))
        cv2.line(pt.img, tuple(_fixed(uv[0])), tuple(_fixed(uv[1])), look.lips, thick, cv2.LINE_AA, _SHIFT)


# ---------------------------------------------------------------------------------------------
# Frames and video
# ---------------------------------------------------------------------------------------------

def render_frame(background: np.ndarray, pose: Pose, cam: Camera, body: BodyProportions,
                 look: Appearance = Appearance(), shape: FigureShape = FigureShape(),
                 scene: Scene = Scene()) -> np.ndarray:
    """One BGR frame: background, contact shadow, figure."""
    img = background.copy()
    draw_shadow(img, cam, pose, scene)
    draw_figure(img, pose, cam, body, look, shape)
    return img


def degrade(img: np.ndarray, rng: np.random.Generator, noise_sigma: float = 0.0,
            blur_sigma: float = 0.0) -> np.ndarray:
    """Camera imperfections: Gaussian blur (defocus/motion) then sensor noise."""
    out = img
    if blur_sigma > 0:
        out = cv2.GaussianBlur(out, (0, 0), blur_sigma)
    if noise_sigma > 0:
        out = np.clip(out.astype(np.float32) + rng.normal(0.0, noise_sigma, out.shape), 0, 255).astype(np.uint8)
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
