"""The interactive window: pyglet, drawing each body from its collision shapes with a small shader.

Keys: space pause/resume, `.` single step, r reset, [ and ] slower/faster,
g ghost on/off, c camera follow/free. Mouse drag orbits, wheel zooms.
"""

from __future__ import annotations

import math
import os
import sys

import numpy as np

from characters.env import MARKER_HALF_EXTENTS, pb
from viewer.camera import character_scale, clip_extent, root_height_scale, side_yaw_deg
from viewer.meshes import LinkShape, body_shapes, box
from viewer.player import Player

VERTEX = """#version 330 core
in vec3 position;
in vec3 normal;
uniform mat4 mvp;
uniform mat4 model;
out vec3 v_normal;
void main() {
    gl_Position = mvp * vec4(position, 1.0);
    v_normal = mat3(model) * normal;
}
"""
FRAGMENT = """#version 330 core
in vec3 v_normal;
uniform vec4 color;
uniform float lit;
out vec4 frag;
void main() {
    vec3 light = normalize(vec3(0.4, 1.0, 0.3));
    float d = max(dot(normalize(v_normal), light), 0.0);
    frag = vec4(color.rgb * mix(1.0, 0.35 + 0.65 * d, lit), color.a);
}
"""


class NoDisplayError(RuntimeError):
    """No screen to open a window on; the message says what to do instead."""


def _transform(pos: np.ndarray, quat: np.ndarray) -> np.ndarray:
    x, y, z, w = quat
    rot = np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])  # fmt: skip
    m = np.eye(4)
    m[:3, :3], m[:3, 3] = rot, pos
    return m


def perspective(fov_deg: float, aspect: float, near: float, far: float) -> np.ndarray:
    f = 1.0 / math.tan(math.radians(fov_deg) / 2)
    return np.array(
        [[f / aspect, 0, 0, 0], [0, f, 0, 0], [0, 0, (far + near) / (near - far), 2 * far * near / (near - far)], [0, 0, -1, 0]]
    )


UP = np.array([0.0, 1.0, 0.0])


def look_at(eye: np.ndarray, target: np.ndarray, up: np.ndarray = UP) -> np.ndarray:
    f = (target - eye) / np.linalg.norm(target - eye)
    s = np.cross(f, up)
    s /= np.linalg.norm(s)
    u = np.cross(s, f)
    m = np.eye(4)
    m[0, :3], m[1, :3], m[2, :3] = s, u, -f
    m[:3, 3] = -m[:3, :3] @ eye
    return m


def _gl(m: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in m.T.ravel())  # column-major for OpenGL


class Viewer:
    """A pyglet window around a Player. headless=True renders offscreen through EGL (tests, servers)."""

    def __init__(self, player: Player, width: int = 1280, height: int = 720, headless: bool = False, title: str = "imitate") -> None:
        if not headless and sys.platform.startswith("linux") and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            raise NoDisplayError("no display found (DISPLAY is not set)")
        import pyglet

        pyglet.options["headless"] = headless
        pyglet.options["shadow_window"] = False
        try:
            from pyglet import gl
            from pyglet.graphics.shader import Shader, ShaderProgram

            config = gl.Config(double_buffer=True, depth_size=24, major_version=3, minor_version=3)
            self.window = pyglet.window.Window(width, height, title, resizable=True, config=config, vsync=False)
        except Exception as exc:  # pyglet raises per-platform exception types when there is no usable display
            raise NoDisplayError(f"cannot open a window ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})") from None
        self.pyglet, self.gl = pyglet, gl
        self.player = player
        self.program = ShaderProgram(Shader(VERTEX, "vertex"), Shader(FRAGMENT, "fragment"))
        env = player.env
        self.body_meshes = self._upload(body_shapes(env.body.body, env.client, env.body.num_links))
        self.ghost_meshes = self._upload(body_shapes(env.ghost.body, env.client, env.ghost.num_links)) if env.ghost is not None else []
        # the steering arrow is visual only (no collision shape to read): its box is drawn from its size
        marker = LinkShape(-1, box(np.array(MARKER_HALF_EXTENTS)), np.zeros(3), np.array([0.0, 0.0, 0.0, 1.0]))
        self.marker_meshes = self._upload([marker]) if env.marker is not None else []
        self.grid = self._grid()
        self.scale = character_scale(env.clip.root_pos[:, 1], clip_extent(env))  # a smaller character is watched from closer
        # from the side of the clip's travel (this orbit turns the other way round than PyBullet's yaw)
        self.yaw, self.pitch, self.distance = -side_yaw_deg(env.clip.root_pos), 12.0, 3.5 * self.scale
        self.follow = True
        self.target = np.array([0.0, 0.9 * root_height_scale(env.clip.root_pos[:, 1]), 0.0])
        self.labels = [pyglet.text.Label("", x=10, y=height - 20 - 18 * i, font_size=11, color=(20, 20, 30, 255)) for i in range(6)]
        self.frames = 0
        self._bind_events()

    # ------------------------------------------------------------ geometry
    def _upload(self, shapes: list[LinkShape]) -> list[tuple[LinkShape, object]]:
        out = []
        for shape in shapes:
            vlist = self.program.vertex_list(
                len(shape.mesh.positions), self.gl.GL_TRIANGLES,
                position=("f", shape.mesh.positions.ravel()), normal=("f", shape.mesh.normals.ravel()),
            )  # fmt: skip
            out.append((shape, vlist))
        return out

    def _grid(self, half: int = 15) -> object:
        lines = []
        for k in range(-half, half + 1):
            lines += [(k, 0.0, -half), (k, 0.0, half), (-half, 0.0, k), (half, 0.0, k)]
        pos = np.array(lines, np.float32)
        nor = np.tile(np.array([0.0, 1.0, 0.0], np.float32), (len(pos), 1))
        return self.program.vertex_list(len(pos), self.gl.GL_LINES, position=("f", pos.ravel()), normal=("f", nor.ravel()))

    # ------------------------------------------------------------ events
    def _bind_events(self) -> None:
        from pyglet.window import key, mouse

        player = self.player
        actions = {
            key.SPACE: player.toggle_pause, key.PERIOD: player.single_step, key.R: player.reset,
            key.BRACKETLEFT: player.slower, key.BRACKETRIGHT: player.faster, key.G: player.toggle_ghost,
            key.C: self.toggle_follow, key.LEFT: lambda: player.turn(math.pi / 6), key.RIGHT: lambda: player.turn(-math.pi / 6),
            key.UP: lambda: player.change_speed(0.5), key.DOWN: lambda: player.change_speed(-0.5),
        }  # fmt: skip

        @self.window.event
        def on_key_press(symbol: int, modifiers: int) -> None:
            if symbol in actions:
                actions[symbol]()
            elif symbol == key.ESCAPE:
                self.window.close()

        @self.window.event
        def on_mouse_drag(x: int, y: int, dx: int, dy: int, buttons: int, modifiers: int) -> None:
            if buttons & mouse.LEFT:
                self.yaw -= 0.4 * dx
                self.pitch = float(np.clip(self.pitch + 0.4 * dy, -5.0, 85.0))

        @self.window.event
        def on_mouse_scroll(x: int, y: int, scroll_x: float, scroll_y: float) -> None:
            self.distance = float(np.clip(self.distance * (0.9**scroll_y), 0.8, 30.0))

        @self.window.event
        def on_draw() -> None:
            self.draw()

    def toggle_follow(self) -> None:
        self.follow = not self.follow

    # ------------------------------------------------------------ drawing
    def camera(self) -> np.ndarray:
        if self.follow:
            root = self.player.env.body.get_pose()[0].root_pos
            goal = np.array([root[0], 0.9 * self.scale, root[2]])
            self.target = self.target + 0.2 * (goal - self.target)
        yaw, pitch = math.radians(self.yaw), math.radians(self.pitch)
        offset = self.distance * np.array([math.cos(pitch) * math.sin(yaw), math.sin(pitch), math.cos(pitch) * math.cos(yaw)])
        w, h = self.window.get_framebuffer_size()
        return perspective(50.0, w / max(h, 1), 0.05, 100.0) @ look_at(self.target + offset, self.target)

    def _draw_body(self, meshes: list, body: int, rgba: tuple[float, ...], view_proj: np.ndarray) -> None:
        env = self.player.env
        links = range(pb.getNumJoints(body, physicsClientId=env.client))  # the character's and ghost's links; the marker has none
        states = pb.getLinkStates(body, links, computeForwardKinematics=1, physicsClientId=env.client) if len(links) else []
        base = pb.getBasePositionAndOrientation(body, physicsClientId=env.client)
        self.program["color"] = rgba
        for shape, vlist in meshes:
            pos, quat = base if shape.link < 0 else (states[shape.link][0], states[shape.link][1])
            model = _transform(np.array(pos), np.array(quat)) @ _transform(shape.local_pos, shape.local_quat)
            self.program["model"] = _gl(model)
            self.program["mvp"] = _gl(view_proj @ model)
            vlist.draw(self.gl.GL_TRIANGLES)

    def draw(self) -> None:
        gl = self.gl
        self.window.clear()
        gl.glClearColor(0.80, 0.84, 0.90, 1.0)
        gl.glClear(gl.GL_COLOR_BUFFER_BIT | gl.GL_DEPTH_BUFFER_BIT)
        gl.glEnable(gl.GL_DEPTH_TEST)
        view_proj = self.camera()
        self.program.use()
        self.program["lit"] = 0.0
        self.program["color"] = (0.45, 0.5, 0.58, 1.0)
        self.program["model"] = _gl(np.eye(4))
        shift = np.eye(4)
        shift[0, 3], shift[2, 3] = np.floor(self.target[0]), np.floor(self.target[2])  # the grid moves with the camera
        self.program["mvp"] = _gl(view_proj @ shift)
        self.grid.draw(gl.GL_LINES)
        self.program["lit"] = 1.0
        self._draw_body(self.body_meshes, self.player.env.body.body, (0.93, 0.55, 0.25, 1.0), view_proj)
        if self.marker_meshes:  # a steered controller's command, an arrow on the ground
            self._draw_body(self.marker_meshes, self.player.env.marker, (1.0, 0.8, 0.1, 1.0), view_proj)
        if self.player.ghost_visible and self.ghost_meshes:
            gl.glEnable(gl.GL_BLEND)
            gl.glBlendFunc(gl.GL_SRC_ALPHA, gl.GL_ONE_MINUS_SRC_ALPHA)
            gl.glDepthMask(gl.GL_FALSE)
            self._draw_body(self.ghost_meshes, self.player.env.ghost.body, (0.35, 0.7, 1.0, 0.35), view_proj)
            gl.glDepthMask(gl.GL_TRUE)
        self.program.stop()
        gl.glDisable(gl.GL_DEPTH_TEST)
        for label, text in zip(self.labels, self.player.overlay_lines(), strict=False):
            label.text = text
            label.draw()
        self.frames += 1

    def pixels(self) -> np.ndarray:
        """The last drawn frame as RGB [H,W,3] uint8 (bottom row first, as OpenGL stores it)."""
        buffer = self.pyglet.image.get_buffer_manager().get_color_buffer().get_image_data()
        data = np.frombuffer(buffer.get_data("RGB", buffer.width * 3), dtype=np.uint8)
        return data.reshape(buffer.height, buffer.width, 3)

    def tick(self, dt: float) -> None:
        self.player.advance(dt)

    def run(self) -> None:
        self.pyglet.clock.schedule(self.tick)
        self.pyglet.app.run(1 / 60)
