namespace Stratus.Core.Monitoring;

/// <summary>
/// Monitoring windows in storage, as per-instance partials: each instance writes its own row per window (its
/// cumulative counts, replaced on every flush), so instances never contend, and reads merge the partials of a range.
/// </summary>
public interface IMonitoringStore
{
    /// <summary>Replaces this instance's counts for the window that starts at <paramref name="windowStart"/>.</summary>
    Task WriteAsync(string model, int version, DateTimeOffset windowStart, string instance, WindowCounts counts, CancellationToken cancellationToken);

    /// <summary>
    /// The sum over every instance of the windows starting in [<paramref name="from"/>, <paramref name="to"/>): only those
    /// recorded over <paramref name="reference"/>'s bins when it is given (counts from a replaced reference are left out).
    /// </summary>
    Task<WindowCounts> ReadMergedAsync(string model, int version, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken, string? reference = null);
}
