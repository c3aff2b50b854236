from kapwa.cli import main

main()
