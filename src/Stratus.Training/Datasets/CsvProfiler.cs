using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Stratus.Core.Datasets;
using Stratus.Core.Errors;

namespace Stratus.Training.Datasets;

/// <summary>
/// Validates a CSV (RFC 4180, header required) and profiles it: row count, each column's type, and the distinct
/// values of low-cardinality columns (so a label's classes can be checked before any training run).
/// Every rejection names the line, so a caller can fix the file.
/// </summary>
public static class CsvProfiler
{
    public sealed record Profile(int Rows, IReadOnlyList<DatasetColumn> Columns);

    /// <summary>Most columns a dataset may have: its profile is one table entity, and each column is a feature.</summary>
    public const int MaxColumns = 2_000;

    /// <summary>Longest field, in characters: the parser holds a field whole, so its length bounds its memory.</summary>
    public const int MaxFieldLength = 64 * 1024;

    /// <summary>Characters of listed values one dataset may hold in all (its record is one table entity).</summary>
    public const int MaxListedCharacters = 100_000;

    /// <summary>Profiles a staged CSV row by row (uploads run to a gigabyte: nothing is held but the column tallies).</summary>
    public static async Task<Profile> ReadAsync(string path, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        using var parser = new CsvParser(reader, new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            BadDataFound = args => throw Invalid($"line {args.Context.Parser?.RawRow}: malformed quoting in field '{Truncate(args.Field)}'."),
            DetectColumnCountChanges = false,
            MaxFieldSize = MaxFieldLength,
        });

        if (!await NextAsync(parser))
        {
            throw Invalid("the file is empty; send a header line and at least one data row.");
        }

        var header = parser.Record!;
        ValidateHeader(header);
        var numeric = Enumerable.Repeat(true, header.Length).ToArray();
        var distinct = header.Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();
        var missing = new int[header.Length];
        var rows = 0;
        while (await NextAsync(parser))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var record = parser.Record!;
            if (record.Length == 1 && record[0].Length == 0)
            {
                continue; // blank line
            }

            if (record.Length != header.Length)
            {
                throw Invalid($"line {parser.RawRow}: expected {header.Length} fields (as in the header), found {record.Length}.");
            }

            for (var i = 0; i < record.Length; i++)
            {
                if (numeric[i] && record[i].Length > 0 && !double.TryParse(record[i], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    numeric[i] = false;
                }

                if (record[i].Length == 0)
                {
                    missing[i]++;
                }

                // Few, short distinct values are listed (a label's classes); beyond the caps the column stops counting.
                else if (distinct[i] is { } values && (record[i].Length > DatasetColumn.MaxListedValueLength || (values.Add(record[i]) && values.Count > DatasetColumn.MaxListedValues)))
                {
                    distinct[i] = null!;
                }
            }

            rows++;
        }

        if (rows == 0)
        {
            throw Invalid("the file has a header but no data rows.");
        }

        // The listing must keep the dataset record small (it is one table entity): columns past the budget list nothing.
        var budget = MaxListedCharacters;
        return new Profile(rows, header.Select((name, i) =>
        {
            var values = distinct[i]?.Order(StringComparer.Ordinal).ToArray();
            budget -= values?.Sum(v => v.Length + 3) ?? 0;
            return new DatasetColumn(name, numeric[i] ? DatasetColumn.Number : DatasetColumn.Text)
            {
                Values = budget >= 0 ? values : null,
                Missing = missing[i],
            };
        }).ToArray());
    }

    /// <summary>The header fields of a CSV that has already been validated.</summary>
    public static string[] ReadHeader(string path)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        using var parser = new CsvParser(reader, CultureInfo.InvariantCulture);
        return parser.Read() ? parser.Record! : [];
    }

    private static async Task<bool> NextAsync(CsvParser parser)
    {
        try
        {
            return await parser.ReadAsync();
        }
        catch (MaxFieldSizeException)
        {
            throw Invalid($"line {parser.RawRow}: a field is longer than {MaxFieldLength} characters.");
        }
        catch (CsvHelperException e) when (e is not BadDataException)
        {
            throw Invalid($"line {parser.RawRow}: {e.Message.Split('\n', 2)[0]}");
        }
    }

    private static void ValidateHeader(string[] header)
    {
        if (header.Length > MaxColumns)
        {
            throw Invalid($"line 1: {header.Length} columns; at most {MaxColumns} are accepted.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
        {
            var name = header[i].Trim();
            if (name.Length == 0)
            {
                throw Invalid($"line 1: column {i + 1} has no name; the first line must be a header.");
            }

            if (!seen.Add(name))
            {
                throw Invalid($"line 1: column name '{name}' appears twice.");
            }
        }

        if (header.All(h => double.TryParse(h, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
        {
            throw Invalid("line 1: the first line is all numbers; the file needs a header line naming the columns.");
        }
    }

    private static string Truncate(string value) => value.Length > 40 ? value[..40] + "…" : value;

    private static DomainException Invalid(string detail) => DomainException.Invalid("Malformed CSV", detail);
}
