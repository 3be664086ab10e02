using Stratus.Core.Abstractions;

namespace Stratus.Core.Experiments;

/// <summary>What starting an experiment came to: started, or refused because another one runs (or the name is taken).</summary>
public sealed record ExperimentStart(Versioned<Experiment>? Started, string? RunningName, bool NameTaken);

/// <summary>Experiments per model, with at most one running: starting and ending are atomic with that rule (ETags, no lost updates).</summary>
public interface IExperimentStore
{
    Task<ExperimentStart> StartAsync(Experiment experiment, CancellationToken cancellationToken);

    Task<Versioned<Experiment>?> GetAsync(string model, string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<Experiment>> ListAsync(string model, CancellationToken cancellationToken);

    /// <summary>The running experiment of <paramref name="model"/>, if any.</summary>
    Task<Experiment?> RunningAsync(string model, CancellationToken cancellationToken);

    /// <summary>Replaces a running experiment (a canary's new step) under its ETag; false when it changed meanwhile.</summary>
    Task<bool> UpdateAsync(Versioned<Experiment> current, Experiment updated, CancellationToken cancellationToken);

    /// <summary>Replaces an experiment by its ended form (stopped or concluded) under its ETag, freeing the model for another; false when it changed meanwhile.</summary>
    Task<bool> EndAsync(Versioned<Experiment> current, Experiment ended, CancellationToken cancellationToken);
}
