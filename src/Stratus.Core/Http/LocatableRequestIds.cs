using System.Globalization;

namespace Stratus.Core.Http;

/// <summary>
/// The request ids Stratus generates when a caller sends none: <c>{yyyyMMdd}-{process}-{sequence}</c>. They say
/// where their predictions were logged (the day, the process that served them, and a chunk of its sequence), so
/// feedback finds a logged row with one read and the log needs no per-request index. Ids callers choose are
/// indexed instead.
/// </summary>
public static class LocatableRequestIds
{
    /// <summary>
    /// Requests per log chunk: one append blob per process, day and chunk. Large enough that a busy instance appends to
    /// a few blobs a second (storage requests, not bytes, are what logging costs), small enough that a lookup reads
    /// a few hundred kilobytes.
    /// </summary>
    public const int ChunkSize = 8192;

    private static long s_sequence;

    /// <summary>This process's tag: random, so restarts and other instances never reuse a location.</summary>
    public static string ProcessTag { get; } = Guid.NewGuid().ToString("N")[..8];

    public static string New(DateTimeOffset now) =>
        string.Create(CultureInfo.InvariantCulture, $"{now.UtcDateTime:yyyyMMdd}-{ProcessTag}-{Interlocked.Increment(ref s_sequence):x}");

    /// <summary>Where a generated id's predictions were logged; false for ids a caller chose.</summary>
    public static bool TryLocate(string requestId, out RequestLocation location)
    {
        location = default;
        if (!TryLocate(requestId, out var day, out var process, out var chunk))
        {
            return false;
        }

        location = new RequestLocation(day, process.ToString(), chunk);
        return true;
    }

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>The same without allocating (the prediction log locates every served request).</summary>
    public static bool TryLocate(ReadOnlySpan<char> requestId, out DateOnly day, out ReadOnlySpan<char> process, out long chunk)
    {
        day = default;
        process = default;
        chunk = 0;
        var first = requestId.IndexOf('-');
        var second = first < 0 ? -1 : requestId[(first + 1)..].IndexOf('-');
        if (first != 8 || second != 8)
        {
            return false;
        }

        process = requestId.Slice(first + 1, second);
        var sequence = requestId[(first + second + 2)..];
        if (process.ContainsAnyExcept(LowerHex) || sequence.Contains('-')
            || !DateOnly.TryParseExact(requestId[..first], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day)
            || !long.TryParse(sequence, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var number))
        {
            process = default;
            return false;
        }

        chunk = number / ChunkSize;
        return true;
    }
}

/// <summary>The day, process and chunk a generated request id's predictions were logged under.</summary>
public readonly record struct RequestLocation(DateOnly Day, string Process, long Chunk);
