namespace Stratus.Monitoring.Estimation;

/// <summary>
/// A confusion matrix in expectation (CBPE): each served row counts as a true positive with its calibrated
/// probability c and as a false positive with 1 − c when predicted positive, and as a false negative with c and a true
/// negative with 1 − c otherwise (NannyML, nannyml/performance_estimation/confidence_based/metrics.py,
/// <c>estimate_accuracy</c> and <c>estimate_f1</c>).
/// </summary>
public readonly record struct ExpectedConfusion(double TruePositive, double FalsePositive, double FalseNegative, double TrueNegative)
{
    public double Rows => TruePositive + FalsePositive + FalseNegative + TrueNegative;

    public double Accuracy => Rows == 0 ? double.NaN : (TruePositive + TrueNegative) / Rows;

    /// <summary>TP / (TP + ½(FP + FN)); 0 when nothing is predicted or expected positive, as NannyML answers.</summary>
    public double F1 => TruePositive + (0.5 * (FalsePositive + FalseNegative)) is var denominator and > 0 ? TruePositive / denominator : 0;

    /// <summary>From calibrated probabilities of the positive class and which rows were predicted positive.</summary>
    public static ExpectedConfusion Of(IReadOnlyList<double> calibrated, IReadOnlyList<bool> predictedPositive)
    {
        double tp = 0, fp = 0, fn = 0, tn = 0;
        for (var i = 0; i < calibrated.Count; i++)
        {
            if (predictedPositive[i])
            {
                tp += calibrated[i];
                fp += 1 - calibrated[i];
            }
            else
            {
                fn += calibrated[i];
                tn += 1 - calibrated[i];
            }
        }

        return new ExpectedConfusion(tp, fp, fn, tn);
    }
}
