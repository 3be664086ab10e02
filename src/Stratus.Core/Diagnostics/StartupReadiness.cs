namespace Stratus.Core.Diagnostics;

/// <summary>
/// Whether this instance has finished what it must do before it can serve (the local runner: training its demo
/// models). Readiness answers 503 with the reason until then; liveness does not look at it. Ready by default, so a
/// host with nothing to wait for (the Functions host in Azure) is never held back.
/// </summary>
public sealed class StartupReadiness
{
    private volatile string? _waitingFor;

    public bool IsReady => _waitingFor is null;

    /// <summary>What start-up is still doing; null once ready.</summary>
    public string? WaitingFor => _waitingFor;

    public void Wait(string reason) => _waitingFor = reason;

    public void Ready() => _waitingFor = null;
}
