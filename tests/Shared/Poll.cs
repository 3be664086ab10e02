namespace Stratus.Tests.Fixtures;

/// <summary>
/// Re-reads state that only another process or a storage service holds, and that nothing signals (an orchestration's
/// stored status, a queue), until it satisfies a condition, within a deadline. Code in the test's own process is
/// awaited through gates instead.
/// </summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The first value <paramref name="read"/> returns that satisfies <paramref name="reached"/>; fails after
    /// <paramref name="timeout"/>, and stops (cancelled) when <paramref name="cancellationToken"/> is.
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<CancellationToken, Task<T>> read, Func<T, bool> reached, TimeSpan timeout, string what, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var last = default(T);
        try
        {
            while (true)
            {
                last = await read(deadline.Token);
                if (reached(last))
                {
                    return last;
                }

                await Task.Delay(Interval, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Not reached within {timeout}: {what}. Last read: {last}");
        }
    }
}
