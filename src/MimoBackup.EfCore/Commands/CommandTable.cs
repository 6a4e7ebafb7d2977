using System.Text;

namespace MimoBackup.EfCore.Commands;

/// <summary>A table of text as the commands print it: columns padded to their widest cell.</summary>
internal static class CommandTable
{
    internal static IEnumerable<string> Lines(string[] header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        string Line(string[] cells)
        {
            var line = new StringBuilder();
            for (var i = 0; i < cells.Length; i++)
            {
                line.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
            }

            return line.ToString().TrimEnd();
        }

        yield return Line(header);
        foreach (var row in rows)
        {
            yield return Line(row);
        }
    }
}
