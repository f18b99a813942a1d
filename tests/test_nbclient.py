"""Executes notebooks with nbclient on the godl kernel, as papermill or
`jupyter nbconvert --execute` do.

Run by `go test ./...` (TestJupyterConformance in main_test.go); by hand:

    go run . install --prefix /tmp/godl-k
    JUPYTER_PATH=/tmp/godl-k/share/jupyter /usr/bin/python3 -m unittest -v tests/test_nbclient.py
"""

import os
import unittest

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_notebook

HERE = os.path.dirname(os.path.abspath(__file__))
KERNEL = os.environ.get("GODL_KERNEL_NAME", "godl")


def text(output):
    if output["output_type"] == "stream":
        return output["text"]
    return output["data"]["text/plain"]


class NotebookTests(unittest.TestCase):
    def test_tutorial(self):
        path = os.path.join(HERE, "..", "notebooks", "tour.ipynb")
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, kernel_name=KERNEL, timeout=120).execute()
        nbformat.validate(nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        self.assertEqual([c.execution_count for c in code], list(range(1, len(code) + 1)))
        by_id = {c.id: c for c in code}
        out = "".join(text(o) for o in by_id["print"].outputs)
        self.assertIn("hello, gopher!", out)
        self.assertIn("step 3 of 3", out)
        results = [o for o in by_id["sum"].outputs if o.output_type == "execute_result"]
        self.assertEqual(len(results), 1)
        self.assertEqual(results[0]["data"]["text/plain"], "385")
        self.assertEqual(nb.metadata.language_info.name, "go")

    def test_rich_outputs(self):
        nb = new_notebook(cells=[
            new_code_cell('import "image"\ndisplay.Show(image.NewRGBA(image.Rect(0, 0, 4, 4)))'),
            new_code_cell('h := display.New()\nh.Show(display.Text("0%"))'),
            new_code_cell('h.Update(display.Text("100%"))\nh.Flush()'),
        ])
        NotebookClient(nb, kernel_name=KERNEL, timeout=60).execute()
        nbformat.validate(nb)
        png = nb.cells[0].outputs[0]
        self.assertEqual(png.output_type, "display_data")
        self.assertIn("image/png", png.data)
        # update_display_data from cell 3 replaced the output of cell 2.
        self.assertEqual(nb.cells[1].outputs[0].data["text/plain"], "100%")
        self.assertEqual(nb.cells[2].outputs, [])

    def test_error_stops_execution(self):
        nb = new_notebook(cells=[
            new_code_cell("a := 1"),
            new_code_cell("a = notDefinedAnywhere"),
            new_code_cell("a"),
        ])
        client = NotebookClient(nb, kernel_name=KERNEL, timeout=60)
        with self.assertRaises(CellExecutionError):
            client.execute()
        self.assertEqual(nb.cells[1].outputs[0].output_type, "error")
        self.assertEqual(nb.cells[2].outputs, [])

    def test_allow_errors(self):
        nb = new_notebook(cells=[
            new_code_cell("a := 1"),
            new_code_cell("a = notDefinedAnywhere"),
            new_code_cell("a + 1"),
        ])
        NotebookClient(nb, kernel_name=KERNEL, timeout=60, allow_errors=True).execute()
        self.assertEqual(nb.cells[2].outputs[0]["data"]["text/plain"], "2")


if __name__ == "__main__":
    unittest.main()
