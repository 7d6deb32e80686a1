Console.WriteLine("ProbabilisticDistillation: being added."); return 0;
