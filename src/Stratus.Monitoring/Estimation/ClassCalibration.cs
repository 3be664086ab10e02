namespace Stratus.Monitoring.Estimation;

/// <summary>One class's calibration: the fitted calibrator when it lowered the expected calibration error, else null (scores used as they are).</summary>
/// <param name="EceBefore">The pooled held-out rows' expected calibration error as scored; null when no check ran (one class, AUROC above 0.999).</param>
public sealed record ClassCalibration(string Class, IsotonicCalibrator? Calibrator, double? EceBefore, double? EceAfter, string Reason);
