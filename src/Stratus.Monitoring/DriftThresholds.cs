namespace Stratus.Monitoring;

/// <summary>
/// When a feature, and a window, count as drifted. A feature drifts only when its distance is large (PSI at least
/// <see cref="Psi"/>) <em>and</em> its test is significant (p below <see cref="PValue"/>): at large windows every
/// p-value shrinks (evidently#50), at small ones every distance is noisy, and requiring both keeps either from
/// alarming alone. Below <see cref="MinRows"/> live rows nothing is judged. Evidently's defaults for comparison: KS or
/// chi-square at p &lt; 0.05 up to 1,000 reference rows, then Wasserstein/Jensen–Shannon at 0.1; dataset drift at 50 %.
/// </summary>
public sealed record DriftThresholds
{
    public double Psi { get; init; } = 0.2;

    public double PValue { get; init; } = 0.01;

    /// <summary>Share of drifted features at which the whole window counts as drifted.</summary>
    public double DriftShare { get; init; } = 0.5;

    public int MinRows { get; init; } = 500;

    /// <summary>
    /// How far an estimated (or realized) metric may fall below the reference before it alerts: absolute for scores in
    /// [0, 1] (accuracy, F1, ROC AUC), relative for errors (MAE, RMSE may rise by this share). It alerts only when the
    /// reference also lies outside the estimate's ± 3 SE band, so small windows do not alarm on noise.
    /// </summary>
    public double EstimatedDrop { get; init; } = 0.05;
}
