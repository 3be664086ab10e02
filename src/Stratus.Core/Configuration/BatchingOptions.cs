namespace Stratus.Core.Configuration;

/// <summary>Dynamic batching per model, as Triton does it: merge concurrent requests up to a size or a delay.</summary>
public sealed class BatchingOptions
{
    /// <summary>Most rows one session call takes.</summary>
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>How long the first request of a batch may wait for others to join it.</summary>
    public int MaxQueueDelayMicroseconds { get; set; } = 2000;

    /// <summary>Requests waiting beyond this are refused with 429 and Retry-After.</summary>
    public int MaxQueuedRequests { get; set; } = 1024;

    /// <summary>False runs every request on its own (the "batching off" baseline).</summary>
    public bool Enabled { get; set; } = true;
}
