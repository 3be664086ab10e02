namespace Stratus.Monitoring.Estimation;

/// <summary>One class's calibration: the fitted calibrator when it lowered the expected calibration error, else null (scores used as they are).</summary>
public sealed record ClassCalibration(string Class, IsotonicCalibrator? Calibrator, double EceBefore, double EceAfter, string Reason);
