"""The room database: SQLite (the default) and PostgreSQL, through the same calls."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pg_server import postgres_url  # noqa: F401  (the fixture)

from immersion.room import database, schema
from immersion.room.database import Event, Heartbeat, RoomDatabase, RoomDatabaseError

Opener = Callable[[], RoomDatabase]


@pytest.fixture(params=["sqlite", "postgres"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens the same (fresh) room database each call, in each engine."""
    if request.param == "sqlite":
        path = tmp_path / "build" / ".room" / "room.sqlite"
        yield lambda: database.connect(path)
        return
    url = request.getfixturevalue("postgres_url")
    import psycopg

    with psycopg.connect(url, autocommit=True) as c:
        for table in ("events", "displays", "schema_version", "day_sums", "day_held", "day_events"):
            c.execute(f"DROP TABLE IF EXISTS {table}")
    yield lambda: database.connect(tmp_path / "unused.sqlite", url)
    assert not (tmp_path / "unused.sqlite").exists()


def slide(n: int, display: str = "entrance", item: str = "persona:maya") -> Event:
    return Event(
        id=f"event-{n:06d}",
        display=display,
        kind=schema.SLIDE,
        started_at=f"2026-12-02T10:{n // 60 % 60:02d}:{n % 60:02d}.000Z",
        item=item,
        seconds=9.0,
        completed=None,
        valid_until="2030-12-10T00:00:00+00:00",
        build="abc123def456",
    )


def test_heartbeats_upsert_one_row_a_display(opener: Opener) -> None:
    with opener() as db:
        db.heartbeat(Heartbeat("entrance", build="b1", screen="1920x1080"), "2026-12-02T10:00:00Z")
        db.heartbeat(
            Heartbeat("entrance", build="b2", offline_capable=True, slide="story:p07"),
            "2026-12-02T10:01:00Z",
        )
        db.heartbeat(Heartbeat("post"), "2026-12-02T10:00:30Z")
    with opener() as db:  # stored, not only cached
        rows = db.displays()
    assert sorted(rows) == ["entrance", "post"]
    e = rows["entrance"]
    assert (e.received_at, e.build, e.slide, e.offline_capable, e.beats) == (
        "2026-12-02T10:01:00Z",
        "b2",
        "story:p07",
        True,
        2,
    )
    assert e.screen is None  # the last heartbeat's fields, not a merge
    assert rows["post"].beats == 1


def stored_beats(opener: Opener) -> dict[str, int]:
    """What another process (`immersion room status`) reads: each display's beats."""
    with opener() as other:
        return {display: row.beats for display, row in other.displays().items()}


def test_heartbeats_are_written_behind_with_the_next_batch_of_events(opener: Opener) -> None:
    with opener() as db:
        db.heartbeat(Heartbeat("entrance"), "2026-12-02T10:00:00.000Z")
        db.heartbeat(Heartbeat("post"), "2026-12-02T10:00:10.000Z")
        assert stored_beats(opener) == {"entrance": 1, "post": 1}  # new: written at once
        db.heartbeat(Heartbeat("entrance", slide="story:p07"), "2026-12-02T10:00:20.000Z")
        db.heartbeat(Heartbeat("post", slide="story:p07"), "2026-12-02T10:00:25.000Z")
        assert stored_beats(opener) == {"entrance": 1, "post": 1}  # kept: nothing new
        db.add_events([slide(1)], "2026-12-02T10:00:25.000Z")
        assert stored_beats(opener) == {"entrance": 2, "post": 2}  # with the batch
        db.heartbeat(Heartbeat("entrance"), "2026-12-02T10:01:00.000Z")
        db.add_events([slide(1)], "2026-12-02T10:01:05.000Z")  # a replay writes nothing
        assert stored_beats(opener) == {"entrance": 2, "post": 2}
        assert db.displays()["entrance"].beats == 3  # this process reads what it kept
        assert stored_beats(opener) == {"entrance": 3, "post": 2}


@pytest.mark.parametrize(
    "change",
    [{"build": "b2"}, {"last_error": "TypeError"}, {"offline_capable": True}, {"restarts": 1}],
)
def test_a_heartbeat_that_tells_something_new_is_written_at_once(
    opener: Opener, change: dict[str, object]
) -> None:
    with opener() as db:
        db.heartbeat(Heartbeat("entrance", build="b1"), "2026-12-02T10:00:00.000Z")
        db.heartbeat(Heartbeat("entrance", build="b1"), "2026-12-02T10:01:00.000Z")
        assert stored_beats(opener) == {"entrance": 1}
        fields: dict[str, object] = {"build": "b1", **change}
        db.heartbeat(Heartbeat("entrance", **fields), "2026-12-02T10:02:00.000Z")  # type: ignore[arg-type]
        assert stored_beats(opener) == {"entrance": 3}


def test_kept_heartbeats_are_written_after_30_s_of_the_servers_clock(opener: Opener) -> None:
    with opener() as db:
        db.heartbeat(Heartbeat("entrance"), "2026-12-02T02:59:00.000Z")
        db.heartbeat(Heartbeat("post"), "2026-12-02T02:59:00.000Z")
        db.heartbeat(Heartbeat("entrance"), "2026-12-02T03:00:00.000Z")  # night: no events
        db.heartbeat(Heartbeat("post"), "2026-12-02T03:00:29.999Z")
        assert stored_beats(opener) == {"entrance": 1, "post": 1}
        db.heartbeat(Heartbeat("entrance"), "2026-12-02T03:00:30.000Z")
        assert stored_beats(opener) == {"entrance": 3, "post": 2}
        db.heartbeat(Heartbeat("post"), "2026-12-02T03:00:31.000Z")  # a new wait begins
        assert stored_beats(opener) == {"entrance": 3, "post": 2}
    assert stored_beats(opener) == {"entrance": 3, "post": 3}  # and on close


def test_a_timer_writes_them_when_no_report_comes(
    opener: Opener, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "HEARTBEAT_FLUSH_SECONDS", 0.2)
    with opener() as db:
        db.heartbeat(Heartbeat("entrance"), "2026-12-02T10:00:00.000Z")
        db.heartbeat(Heartbeat("entrance"), "2026-12-02T10:00:00.100Z")
        assert stored_beats(opener) == {"entrance": 1}
        for _ in range(100):
            if stored_beats(opener) == {"entrance": 2}:
                break
            threading.Event().wait(0.05)
        assert stored_beats(opener) == {"entrance": 2}


def test_a_heartbeat_kept_while_the_database_is_locked_is_written_after(tmp_path: Path) -> None:
    path = tmp_path / "room.sqlite"
    with database.connect(path, busy_seconds=0.2) as db:
        db.heartbeat(Heartbeat("post"), "2026-12-02T02:59:00.000Z")
        db.heartbeat(Heartbeat("post"), "2026-12-02T03:00:00.000Z")
        holder = sqlite3.connect(path)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(RoomDatabaseError, match="cannot store a heartbeat: database is"):
                db.heartbeat(Heartbeat("post"), "2026-12-02T03:00:40.000Z")  # due, and fails
        finally:
            holder.rollback()
            holder.close()
        db.heartbeat(Heartbeat("post"), "2026-12-02T03:01:40.000Z")
        assert stored_beats(lambda: database.connect(path)) == {"post": 4}


def test_a_replayed_batch_adds_nothing(opener: Opener) -> None:
    batch = [slide(n) for n in range(50)]
    with opener() as db:
        assert db.add_events(batch) == 50
        assert db.add_events(batch) == 0  # the display never heard the answer: sent again
        assert db.add_events([*batch[40:], slide(50)]) == 1
        assert db.count_events() == 51
        stored = db.events("entrance")
    assert [e.id for e in stored] == [e.id for e in [*batch, slide(50)]]
    # Stored with its times as the UTC instants they name, in the one stored form.
    assert stored[0] == replace(batch[0], valid_until="2030-12-10T00:00:00.000Z")


def test_the_schema_is_made_once_and_a_newer_one_is_refused(opener: Opener) -> None:
    with opener() as db:
        db.add_events([slide(1)])
    with opener() as db:  # made again on an existing database: nothing lost
        assert db.count_events() == 1
        db._write("UPDATE schema_version SET version = ?", [(schema.VERSION + 1,)], "test")
    with pytest.raises(
        RoomDatabaseError, match=rf"schema version {schema.VERSION + 1}, newer .* upgrade immersion"
    ):
        opener()


def test_sqlite_is_made_with_its_folder_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "build" / ".room" / "room.sqlite"
    database.connect(path).close()
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert c.execute("SELECT version FROM schema_version").fetchall() == [(schema.VERSION,)]


def test_a_reader_never_makes_the_database(tmp_path: Path) -> None:
    path = tmp_path / "build" / ".room" / "room.sqlite"
    with pytest.raises(RoomDatabaseError, match="does not exist yet"):
        database.connect(path, create=False)
    assert not path.parent.exists()


def test_a_locked_database_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "room.sqlite"
    db = database.connect(path, busy_seconds=0.2)
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")  # another program writes and does not let go
    try:
        with pytest.raises(RoomDatabaseError) as caught:
            db.add_events([slide(1)])
        message = str(caught.value)
        assert message.startswith(f"room database {path}: cannot store events: database is locked")
        assert "\n" not in message and "another program holds it" in message
    finally:
        holder.rollback()
        holder.close()
    assert db.add_events([slide(1)]) == 1  # and it works again once the lock is gone
    db.close()


def test_a_corrupt_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "room.sqlite"
    path.write_bytes(b"this is not a database, it is a note\n" * 200)
    with pytest.raises(RoomDatabaseError, match=r"not a database \(move the file aside"):
        database.connect(path)
    assert path.read_bytes().startswith(b"this is not")  # never overwritten


def test_only_a_postgresql_url_is_taken(tmp_path: Path) -> None:
    with pytest.raises(RoomDatabaseError, match="is not a postgresql:// URL"):
        database.connect(tmp_path / "r.sqlite", "/etc/room.sqlite")
    with pytest.raises(RoomDatabaseError, match="is not a postgresql:// URL"):
        database.connect(tmp_path / "r.sqlite", "mysql://u:secret@h/db")


def test_a_password_never_reaches_a_message(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    url = "postgresql://room:s3cret@127.0.0.1:1/room"  # nothing listens on port 1
    with pytest.raises(RoomDatabaseError) as caught:
        database.connect(tmp_path / "r.sqlite", url, busy_seconds=1)
    assert "s3cret" not in str(caught.value)
    assert str(caught.value).startswith("room database postgresql://room:***@127.0.0.1:1/room")


def test_without_psycopg_the_error_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real = builtins.__import__

    def no_psycopg(name: str, *args: object, **kwargs: object) -> object:
        if name == "psycopg":
            raise ImportError("No module named 'psycopg'")
        return real(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_psycopg)
    with pytest.raises(RoomDatabaseError, match=r"pip install 'immersion\[postgres\]'"):
        database.connect(tmp_path / "r.sqlite", "postgresql://h/db")


def synced_wal(monkeypatch: pytest.MonkeyPatch, db: RoomDatabase) -> list[int]:
    """The commits each fdatasync of the database's WAL found counted (its group)."""
    calls: list[int] = []
    real = database.os.fdatasync

    def fdatasync(fd: int) -> None:
        calls.append(db._committed)
        real(fd)

    monkeypatch.setattr(database.os, "fdatasync", fdatasync)
    return calls


def test_a_batch_is_answered_only_once_its_wal_is_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with database.connect(tmp_path / "room.sqlite") as db:
        calls = synced_wal(monkeypatch, db)
        db.add_events([slide(1)])
        db.add_events([slide(2), slide(3)])
        assert calls == [1, 2]  # one sync a batch, each after its commit
        db.add_events([slide(2)])  # a replay: nothing new, nothing to wait for
        db.heartbeat(Heartbeat(display="entrance"))  # a heartbeat never waits
        assert calls == [1, 2]


def test_batches_committed_during_a_sync_share_the_next_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A group commit: while one request's sync runs, others queue; the next turn then
    writes them all in one transaction and one sync, and none returns before it."""
    with database.connect(tmp_path / "room.sqlite") as db:
        calls: list[int] = []
        real = database.os.fdatasync
        first_sync, others_queued = threading.Event(), threading.Event()

        def fdatasync(fd: int) -> None:
            calls.append(db._committed)
            if len(calls) == 1:
                first_sync.set()
                assert others_queued.wait(10)
            real(fd)

        monkeypatch.setattr(database.os, "fdatasync", fdatasync)
        returned: list[int] = []
        first = threading.Thread(target=lambda: returned.append(db.add_events([slide(1)])))
        first.start()
        assert first_sync.wait(10)
        rest = [
            threading.Thread(target=lambda n=n: returned.append(db.add_events([slide(n)])))
            for n in range(2, 6)
        ]
        for th in rest:
            th.start()
        for _ in range(1000):  # the four queue while the first sync is under way
            if len(db._queue) == 4:
                break
            threading.Event().wait(0.01)
        assert len(db._queue) == 4 and db.count_events() == 1  # reads are not held up
        assert returned == []  # the first waits for its sync
        others_queued.set()
        for th in [first, *rest]:
            th.join(10)
        assert calls == [1, 2]  # two commits, two syncs, for five batches
        assert sorted(returned) == [1, 1, 1, 1, 1] and db.count_events() == 5


def test_a_replay_waits_for_the_sync_of_its_first_sending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The display gave up on its first answer while that batch's sync ran: the replay
    adds nothing, but it too answers only once the batch is on disk."""
    with database.connect(tmp_path / "room.sqlite") as db:
        real = database.os.fdatasync
        syncing, release = threading.Event(), threading.Event()
        synced: list[bool] = []

        def fdatasync(fd: int) -> None:
            syncing.set()
            assert release.wait(10)
            real(fd)
            synced.append(True)

        monkeypatch.setattr(database.os, "fdatasync", fdatasync)
        first = threading.Thread(target=db.add_events, args=([slide(1)],))
        first.start()
        assert syncing.wait(10)
        replayed: list[int] = []
        replay = threading.Thread(target=lambda: replayed.append(db.add_events([slide(1)])))
        replay.start()
        replay.join(0.5)
        assert replayed == []  # still waiting: its batch is not on disk yet
        release.set()
        first.join(10)
        replay.join(10)
        assert replayed == [0] and synced == [True]


class CountedCommits:
    """The connection, with its commits counted (sqlite3's own cannot be patched)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.commits = 0

    def commit(self) -> None:
        self.commits += 1
        self.connection.commit()

    def __getattr__(self, name: str) -> object:
        return getattr(self.connection, name)


def test_batches_waiting_for_the_writer_are_written_in_one_transaction(tmp_path: Path) -> None:
    with database.connect(tmp_path / "room.sqlite") as db:
        db.add_events([slide(1)])
        counted = CountedCommits(db._db)
        db._db = counted
        returned: dict[int, int] = {}
        batches = {
            2: [slide(2), slide(3)],
            3: [slide(1), slide(4)],  # one of them stored already
            4: [slide(5, display="post"), slide(4)],  # one in the batch before it
        }
        with db._turn:
            db._writing = True  # another request's turn is under way
        threads = [
            threading.Thread(target=lambda n=n, b=b: returned.update({n: db.add_events(b)}))
            for n, b in batches.items()
        ]
        for th in threads:
            th.start()
        for _ in range(1000):
            if len(db._queue) == 3:
                break
            threading.Event().wait(0.01)
        assert len(db._queue) == 3 and counted.commits == 0
        with db._turn:  # that turn ends
            db._writing = False
            db._turn.notify_all()
        for th in threads:
            th.join(10)
        assert counted.commits == 1  # the three batches, one transaction
        stored = {e.id for e in db.events()}
        assert stored == {f"event-{n:06d}" for n in range(1, 6)}
        assert sum(returned.values()) == 4 and returned[2] == 2  # each new event once
        with sqlite3.connect(tmp_path / "room.sqlite") as c:
            slides = c.execute("SELECT SUM(n) FROM day_sums WHERE kind = 'slide'").fetchone()
        assert slides == (5,)  # the rollups count each event once
