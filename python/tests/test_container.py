import unittest

from hivestream import Container, FormatError

from .fixtures import needs_fixtures, path


def raw():
    with open(path("lines.txt"), "rb") as f:
        return f.read()


@needs_fixtures
class ContainerTest(unittest.TestCase):
    def test_record_aligned_container_restores_the_bytes(self):
        data = raw()
        with Container(path("lines.hvs")) as c:
            self.assertEqual(c.boundary, 0x0A)
            self.assertEqual(c.raw_length, len(data))
            self.assertEqual(c.range(0, len(data)), data)
            # A range across chunks of different lengths.
            self.assertEqual(c.range(5000, 12345), data[5000:17345])
            self.assertGreater(c.chunks, len(data) // c.chunk_size)
            for seq in range(c.chunks - 1):
                self.assertEqual(bytes(c.chunk(seq))[-1:], b"\n")

    def test_fixed_size_container_reads_as_before(self):
        data = raw()
        with Container(path("lines-fixed.hvs")) as c:
            self.assertIsNone(c.boundary)
            self.assertEqual(c.range(0, len(data)), data)

    def test_a_chunk_that_does_not_end_with_the_delimiter_is_refused(self):
        with Container(path("lines-forged.hvs")) as c:
            with self.assertRaises(FormatError):
                c.chunk(0)


if __name__ == "__main__":
    unittest.main()
