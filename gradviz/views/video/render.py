"""Rendering a scene to a file: Manim kept quiet, whole outputs cached, GIFs palette-
optimised, every file written atomically (a temporary file in the same folder, renamed)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from gradviz.core.errors import GradvizError, MissingDependencyError
from gradviz.views.video.options import QUALITIES, require_manim

__all__ = ["render_scene", "EXTENSIONS", "GIF_FPS", "gif_from_movie", "vtt"]

EXTENSIONS = (".mp4", ".gif", ".webm", ".mov", ".png")
GIF_FPS = 10  # a GIF is for a slide or a page: 10 frames a second show every step
INSTALL_FFMPEG = "ffmpeg is not installed: sudo apt-get install ffmpeg"


def _install(produced: Path, output: Path) -> None:
    """Copy ``produced`` to ``output`` atomically."""
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        shutil.copyfile(produced, tmp)  # created with the user's usual permissions
        os.replace(tmp, output)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def gif_from_movie(movie: Path, gif: Path, fps: float = GIF_FPS) -> Path:
    """A GIF with one palette made for the whole clip (ffmpeg palettegen/paletteuse), no
    dithering (flat colours and text compress best without) and only changed rectangles
    stored per frame; 64 colours keep a 50 s focus clip near 3.5 MB, its text crisp."""
    graph = (f"fps={fps:g},split[a][b];[a]palettegen=stats_mode=diff:max_colors=64[p];"
             "[b][p]paletteuse=dither=none:diff_mode=rectangle")
    done = subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(movie), "-filter_complex",
                           graph, "-loop", "0", str(gif)], capture_output=True, timeout=600)
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GradvizError(f"ffmpeg could not write the GIF: {err[-1] if err else '?'}")
    return gif


def vtt(cues: list[tuple[float, float, str]]) -> str:
    """WebVTT captions from ``(start, end, text)`` cues.

    >>> print(vtt([(0, 2.5, "a < b")]))
    WEBVTT
    <BLANKLINE>
    00:00:00.000 --> 00:00:02.500
    a &lt; b
    <BLANKLINE>
    """
    def ts(t: float) -> str:
        ms = int(round(t * 1000))
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"

    out = ["WEBVTT", ""]
    for start, end, text in cues:
        if end > start and text:
            safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            out += [f"{ts(start)} --> {ts(end)}", safe, ""]
    return "\n".join(out)


def _key(scene_cls: type, ext: str, settings: dict, scene_kw: dict) -> str:
    """Everything an output depends on: gradviz's version, the scene and its inputs (a
    plan by its storyboard, which fixes every frame), the render settings."""
    from gradviz import __version__
    from gradviz.views.video.plan import Plan
    from gradviz.views.video.storyboard import storyboard

    def norm(v: Any) -> Any:
        if isinstance(v, Plan):
            return [storyboard(v), v.theme, v.view]
        return repr(v)

    blob = json.dumps([__version__, scene_cls.__module__, scene_cls.__qualname__, ext,
                       sorted(settings.items()), sorted((k, norm(v)) for k, v in
                                                        scene_kw.items())],
                      default=repr, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def _settings(ext: str, quality: str, pixel_size: tuple[int, int] | None,
              frame_rate: float | None, verbose: bool) -> dict:
    q = QUALITIES[quality]
    width, height = pixel_size or (q.width, q.height)
    fps = frame_rate or (GIF_FPS if ext == ".gif" else q.fps)
    return {"pixel_width": width, "pixel_height": height, "frame_rate": fps,
            "progress_bar": "display" if verbose else "none",
            "verbosity": "INFO" if verbose else "ERROR", "disable_caching": True}


def render_scene(scene_cls: type, output: str | Path, quality: str = "low", *,
                 media_dir: str | Path | None = None, pixel_size: tuple[int, int] | None = None,
                 frame_rate: float | None = None, verbose: bool = False,
                 keep_frame: bool = False, cues: list | None = None,
                 **scene_kw: Any) -> Path | tuple[Path, np.ndarray | None]:
    """Render ``scene_cls(**scene_kw)`` to ``output`` (``.mp4``, ``.gif``, ``.webm``,
    ``.mov``, or ``.png`` for the last frame); ``cues`` are written beside a movie as
    WebVTT captions.

    Manim's work folder lives under ``media_dir`` (default ``~/.cache/gradviz/manim``),
    with a cache of whole outputs: an unchanged re-render is a copy. With ``keep_frame``
    the result is ``(path, the last frame as an RGBA array)``.
    """
    output = Path(output)
    ext = output.suffix.lower()
    if ext not in EXTENSIONS:
        raise GradvizError("video output must end in " + ", ".join(EXTENSIONS))
    if quality not in QUALITIES:
        raise GradvizError(f"quality must be one of {', '.join(QUALITIES)}")
    if shutil.which("ffmpeg") is None and ext != ".png":
        raise MissingDependencyError(INSTALL_FFMPEG)
    planned = scene_kw.get("plan")
    if planned is not None:  # the plan fixes the frame's size and rate
        pixel_size, frame_rate = (planned.width, planned.height), planned.fps
    settings = _settings(ext, quality, pixel_size, frame_rate, verbose)
    media = Path(media_dir) if media_dir else Path.home() / ".cache" / "gradviz" / "manim"
    cached = media / "gradviz-cache" / f"{_key(scene_cls, ext, settings, scene_kw)}{ext}"
    if cached.exists() and not keep_frame:  # unchanged inputs: no re-render at all
        _install(cached, output)
        _captions(output, cues)
        return output
    m = require_manim()
    work = media / "work" / f"{cached.stem}-{os.getpid()}"  # parallel renders never share
    settings.update(media_dir=str(work), output_file=output.stem)
    if ext == ".png":
        settings.update(write_to_movie=False, save_last_frame=True)
    elif ext in (".webm", ".mov"):
        settings["format"] = ext[1:]
    if ext in (".mp4", ".mov", ".gif"):  # x264: a third faster than its default, flat
        settings["video_encoder_options"] = {"preset": "superfast"}  # colours barely grow
    try:
        with m.tempconfig(settings):
            scene = scene_cls(**scene_kw)
            scene.render()
            frame = np.array(scene.renderer.get_frame()) if keep_frame else None
            writer = scene.renderer.file_writer
            produced = Path(writer.image_file_path if ext == ".png" else writer.movie_file_path)
        if ext == ".gif":
            produced = gif_from_movie(produced, work / f"{output.stem}.gif",
                                      settings["frame_rate"])
        if not produced.exists():
            raise GradvizError(f"manim did not write {produced}")
        _install(produced, cached)
        _install(produced, output)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _captions(output, cues)
    return (output, frame) if keep_frame else output


def _captions(output: Path, cues: list | None) -> None:
    if cues and output.suffix.lower() != ".png":
        from gradviz.core.files import write_if_changed

        write_if_changed(output.with_suffix(".vtt"), vtt(cues))
